"""A PEP 517 build backend with no requirements, shipped inside the e2e test sdist.

PyPI is not reachable from CI, so pip's isolated build environment cannot install setuptools;
an in-tree backend (backend-path) with requires = [] lets real pip build the sdist offline.
"""
import base64
import hashlib
import os
import zipfile

GENERATOR = "airlock-e2e-sdist-backend"


def _pkg_info():
    with open("PKG-INFO", encoding="utf-8") as f:
        text = f.read()
    fields = dict(line.split(": ", 1) for line in text.split("\n\n", 1)[0].splitlines() if ": " in line)
    return text, fields["Name"].replace("-", "_"), fields["Version"]


def _record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    metadata, module, version = _pkg_info()
    dist_info = f"{module}-{version}.dist-info"
    files = {}
    for root, _, names in os.walk(module):
        for name in sorted(names):
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                files[path.replace(os.sep, "/")] = f.read()
    files[f"{dist_info}/METADATA"] = metadata.encode()
    files[f"{dist_info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: {GENERATOR}\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    ).encode()
    record = "".join(f"{p},{_record_hash(d)},{len(d)}\n" for p, d in files.items())
    record += f"{dist_info}/RECORD,,\n"
    wheel_name = f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as whl:
        for path, data in files.items():
            whl.writestr(path, data)
        whl.writestr(f"{dist_info}/RECORD", record)
    return wheel_name
