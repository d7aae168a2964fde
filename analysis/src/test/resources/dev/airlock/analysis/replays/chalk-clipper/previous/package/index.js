module.exports = function chalk(s) { return s; };
