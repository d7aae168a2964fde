package dev.airlock.analysis.rules;

import dev.airlock.analysis.code.SourceFacts;
import dev.airlock.analysis.code.SourceFacts.Call;
import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.Hit.Role;
import java.util.Set;

/** Collecting who and where the user is: the whole environment, host and user identity. */
final class HarvestRules {
    private static final Set<String> PY_IDENTITY = Set.of("os.getlogin", "getpass.getuser", "socket.gethostname",
            "platform.node", "platform.uname", "os.uname", "uuid.getnode", "socket.gethostbyname");
    private static final Set<String> JS_IDENTITY = Set.of("os.hostname", "os.userInfo", "os.networkInterfaces");

    private HarvestRules() {
    }

    /** Notes identity sources and whole-environment reads for the file-level rules below. */
    static void call(FileScan s, Call c) {
        String callee = c.callee();
        if (s.py && (callee.equals("os.environ.items") || callee.equals("os.environ.copy"))) {
            s.environWhole = true;
        }
        if ((s.py ? PY_IDENTITY : JS_IDENTITY).contains(callee) && !callee.equals("socket.gethostbyname")) {
            s.identity.add(callee);
        }
    }

    /** environment_harvest: the whole environment serialised or sent on one line. */
    static void environment(FileScan s) {
        for (SourceFacts.Ref r : s.f.refs) {
            Context at = s.at(r.moduleLevel());
            boolean whole = s.py ? r.name().equals("os.environ") && (r.next().equals(")") || r.next().equals(",") || r.next().equals("}"))
                    : r.name().equals("process.env") && (r.next().equals("FunctionCall") || r.next().equals(")") || r.next().equals(","));
            if (!whole) {
                continue;
            }
            s.environWhole = true;
            boolean serialised = s.f.calls.stream().anyMatch(c -> c.line() == r.line()
                    && (c.callee().equals("json.dumps") || c.callee().equals("JSON.stringify") || c.callee().equals("str")
                    || c.callee().endsWith(".post") || c.callee().endsWith(".write") || c.callee().equals("Buffer.from")));
            if (serialised) {
                s.add(r.line(), "environment_harvest", "high", "The whole environment (" + r.name() + ") is serialised or sent"
                        + FileScan.where(at) + ".", Role.THREAT, at);
                return;
            }
        }
    }

    /** environment_harvest at install: the whole environment walked by code that has the network. */
    static void installEnvironment(FileScan s) {
        if (s.environWhole && s.net && s.ctx == Context.INSTALL) {
            s.add(1, "environment_harvest", "high", "Install-time code walks the whole environment and has network access.",
                    Role.THREAT, s.ctx);
        }
    }

    /** install_identity_collection, host_fingerprinting. */
    static void identity(FileScan s) {
        if (s.ctx == Context.INSTALL && !s.identity.isEmpty()) {
            s.add(1, "install_identity_collection", "low", "Install-time code reads the user or host identity ("
                    + String.join(", ", s.identity) + ").", Role.INFO, s.ctx);
        }
        if (s.identity.size() >= 2 && s.net) {
            s.add(1, "host_fingerprinting", "medium", "The code collects host and user identity and has network access"
                    + FileScan.where(s.ctx) + ".", Role.THREAT, s.ctx);
        }
    }
}
