module.exports = function pad(s) { return ' ' + s; };
