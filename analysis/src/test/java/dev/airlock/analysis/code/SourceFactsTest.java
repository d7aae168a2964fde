package dev.airlock.analysis.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SourceFactsTest {
    private static List<String> callees(SourceFacts f) {
        return f.calls.stream().map(SourceFacts.Call::callee).toList();
    }

    @Test
    void pythonCommentsAndDocstringsAreNotCalls() {
        SourceFacts f = PythonFacts.extract("m.py", "# os.system('x')\n\"\"\"subprocess.run(['y'])\"\"\"\nx = 'os.system(1)'\n");
        assertTrue(f.calls.isEmpty(), f.calls.toString());
        assertEquals(1, f.strings.size(), "the docstring is documentation, the assigned string is data");
        assertEquals("os.system(1)", f.strings.get(0).value());
    }

    @Test
    void pythonAliasesResolveToTheRealModule() {
        SourceFacts f = PythonFacts.extract("m.py", "import subprocess as sp\nfrom os import system as run\n"
                + "sp.Popen(['a'])\nrun('b')\n");
        assertEquals(List.of("subprocess.Popen", "os.system"), callees(f));
        assertEquals("b", f.calls.get(1).firstLiteral());
    }

    @Test
    void pythonEscapesAreDecodedSoHiddenAddressesShow() {
        SourceFacts f = PythonFacts.extract("m.py", "u = '\\x68\\x74\\x74\\x70://a'\nr = r'\\x41'\n");
        assertEquals("http://a", f.strings.get(0).value());
        assertEquals("\\x41", f.strings.get(1).value());
    }

    @Test
    void pythonFunctionBodiesAreNotModuleLevel() {
        SourceFacts f = PythonFacts.extract("m.py", "import os\ndef f():\n    os.system('a')\nos.system('b')\n"
                + "class C:\n    os.system('c')\n");
        assertFalse(f.calls.get(0).moduleLevel());
        assertTrue(f.calls.get(1).moduleLevel());
        assertTrue(f.calls.get(2).moduleLevel(), "class bodies run on import");
    }

    @Test
    void rhinoResolvesRequireAliasesAndDestructuring() {
        SourceFacts f = JsFacts.extract("a.js", "const cp = require('child_process');\nconst {get} = require('https');\n"
                + "// cp.exec('commented out')\ncp.exec('id');\nget('https://x');\n");
        assertTrue(f.parsedByAst);
        assertEquals(List.of("require", "require", "child_process.exec", "https.get"), callees(f));
    }

    @Test
    void esModulesFallBackToTheLexerWithTheSameFacts() {
        SourceFacts f = JsFacts.extract("a.mjs", "import { exec as run } from 'node:child_process';\n"
                + "/* fetch('x') */\nconst re = /fetch\\(/g;\nrun(`echo ${1}`);\n");
        assertFalse(f.parsedByAst);
        assertEquals(List.of("child_process.exec"), callees(f));
    }

    @Test
    void bracketsSpanningLinesDoNotEndTheFunction() {
        SourceFacts f = PythonFacts.extract("m.py", "import os\ndef f(d):\n    x = d[\n        1\n    ]\n    os.system('a')\n");
        assertFalse(f.calls.get(0).moduleLevel(), f.calls.toString());
    }
}
