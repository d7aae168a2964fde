package dev.airlock.proxy.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The admin CLI's argument handling: options taken out of the list as they are read, so leftovers are errors. */
final class AdminArgs {
    private AdminArgs() {
    }

    static String option(List<String> args, String name) throws AdminException {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(name)) {
                if (i + 1 >= args.size()) {
                    throw usage("usage: " + name + " needs a value");
                }
                String v = args.get(i + 1);
                args.remove(i + 1);
                args.remove(i);
                return v;
            }
            if (a.startsWith(name + "=")) {
                args.remove(i);
                return a.substring(name.length() + 1);
            }
        }
        return null;
    }

    static boolean flag(List<String> args, String name) {
        return args.remove(name);
    }

    static void noMore(List<String> args) throws AdminException {
        if (!args.isEmpty()) {
            throw usage("usage: unexpected argument '" + args.get(0) + "'");
        }
    }

    static AdminException usage(String message) {
        return new AdminException(AdminException.USAGE, message);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
