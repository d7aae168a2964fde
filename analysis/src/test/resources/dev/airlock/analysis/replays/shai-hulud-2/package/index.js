module.exports = { version: '2.3.4' };
