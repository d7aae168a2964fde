package dev.airlock.common;

/**
 * Tells a failure inside MapDB (an I/O error halfway through a write, a write-ahead log that no
 * longer matches the file) from one thrown by the caller's own logic. After the first kind, MapDB's
 * in-memory state no longer matches its file and a rollback does not repair it: the owner must stop
 * writing and reopen the file. Matched by class name, so modules without MapDB can ask too.
 */
public final class MapDbFailures {
    private static final String[] INSIDE = {"org.mapdb.", "org.eclipse.collections."};

    private MapDbFailures() {
    }

    public static boolean inside(Throwable e) {
        for (Class<?> c = e.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().startsWith("org.mapdb.")) {
                return true;
            }
        }
        StackTraceElement[] trace = e.getStackTrace();
        for (int i = 0; i < Math.min(trace.length, 8); i++) {
            for (String p : INSIDE) {
                if (trace[i].getClassName().startsWith(p)) {
                    return true;
                }
            }
        }
        return false;
    }
}
