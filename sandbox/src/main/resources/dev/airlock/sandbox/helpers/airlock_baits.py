"""Credentials planted for the package to (not) find. Each carries a random marker so that a later
use (sent over the network, put in a DNS name) can be recognised in the recordings."""
import json
import os
import secrets
import string


def _upper(n):
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(n))


def _lower(n):
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def plant(home, uid, gid, record_path):
    aws_id = "AKIA" + _upper(16)
    aws_secret = _lower(40)
    npm_token = "npm_" + _lower(36)
    pypi_token = "pypi-" + _lower(40)
    ssh_marker = _lower(32)
    discord_token = "mfa." + _lower(60)
    chrome_marker = _lower(24)
    baits = [
        ("aws-credentials", ".aws/credentials",
         "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (aws_id, aws_secret), [aws_id, aws_secret]),
        ("ssh-private-key", ".ssh/id_rsa",
         "-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n-----END OPENSSH PRIVATE KEY-----\n" % ssh_marker, [ssh_marker]),
        ("npm-token", ".npmrc", "//registry.invalid/:_authToken=%s\n" % npm_token, [npm_token]),
        ("pypi-token", ".pypirc",
         "[pypi]\nusername = __token__\npassword = %s\n" % pypi_token, [pypi_token]),
        ("discord-token", ".config/discord/Local Storage/leveldb/000003.log",
         "_https://discord.invalid\x00\x01token\"%s\"\n" % discord_token, [discord_token]),
        ("browser-login-data", ".config/google-chrome/Default/Login Data",
         "SQLite format 3\x00 origin_url https://bank.invalid password %s\n" % chrome_marker, [chrome_marker]),
    ]
    records = []
    for name, relative, content, markers in baits:
        path = os.path.join(home, relative)
        _makedirs(home, os.path.dirname(path), uid, gid)
        with open(path, "w") as f:
            f.write(content)
        os.chown(path, uid, gid)
        os.chmod(path, 0o600)
        records.append({"bait": name, "path": path, "markers": markers})
    env = {"AWS_ACCESS_KEY_ID": aws_id, "AWS_SECRET_ACCESS_KEY": aws_secret}
    records.append({"bait": "aws-environment", "path": None, "markers": [aws_id, aws_secret]})
    with open(record_path, "w") as f:
        json.dump(records, f, sort_keys=True)
    return env


def _makedirs(home, directory, uid, gid):
    parts = os.path.relpath(directory, home).split(os.sep)
    current = home
    for part in parts:
        if part in ("", "."):
            continue
        current = os.path.join(current, part)
        if not os.path.isdir(current):
            os.mkdir(current, 0o700)
            os.chown(current, uid, gid)
