package dev.airlock.analysis.rules;

import dev.airlock.analysis.code.SourceFacts.Str;
import dev.airlock.analysis.rules.Hit.Role;
import java.util.regex.Pattern;

/** Code that fetches or carries a program and runs it: embedded code strings, executables by name or URL. */
final class DropperRules {
    private static final Pattern CODE_PAYLOAD = Pattern.compile("(?:\\bexec\\(|\\beval\\(|b64decode\\(|urlopen\\(|\\bsystem\\(|subprocess\\.)");
    private static final Pattern EXECUTABLE_NAME = Pattern.compile("(?i)^[^\\s'\"]{1,200}\\.(?:exe|scr|msi|bat|ps1|vbs)$");
    private static final Pattern URL_EXECUTABLE = Pattern.compile(
            "(?i)https?://[^\\s'\"]+\\.(?:exe|scr|msi|bat|ps1|vbs|dll|bin|elf|sh|jar)(?:\\?[^\\s'\"]*)?$");

    private DropperRules() {
    }

    /** embedded_code_dropper: a string of code that fetches, decodes or executes, in a file that runs programs on load. */
    static void embeddedCode(FileScan s) {
        if (!s.execNow) {
            return;
        }
        for (Str str : s.f.strings) {
            String v = str.value();
            if (v.length() >= 40 && v.contains("import") && CODE_PAYLOAD.matcher(v).find()) {
                s.add(str.line(), "embedded_code_dropper", "high", "A string holding code that fetches, decodes or executes is written"
                        + " out and run" + FileScan.where(s.ctx) + ".", Role.STRONG_THREAT, s.ctx);
                return;
            }
        }
    }

    /** download_and_execute: Python code that runs on load, uses the network and programs, and names an executable. */
    static void executableByName(FileScan s) {
        if (!s.py || !s.netNow || !s.execNow) {
            return;
        }
        for (Str str : s.f.strings) {
            if (EXECUTABLE_NAME.matcher(str.value()).find()) {
                s.add(str.line(), "download_and_execute", "high", "Code that runs on load downloads and starts an executable ("
                        + FileScan.clip(str.value()) + ")" + FileScan.where(s.ctx) + ".", Role.STRONG_THREAT, s.ctx);
                return;
            }
        }
    }

    /** download_and_execute: a fixed URL of an executable in code that has both the network and programs. */
    static void executableByUrl(FileScan s) {
        if (!s.net || !s.exec) {
            return;
        }
        for (Str str : s.f.strings) {
            if (URL_EXECUTABLE.matcher(str.value().trim()).find()) {
                s.add(str.line(), "download_and_execute", "high", "The code downloads an executable from a fixed address and can run"
                        + " programs" + FileScan.where(s.ctx) + ".", Role.STRONG_THREAT, s.ctx);
                return;
            }
        }
    }
}
