package dev.airlock.sql;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done on a connection inside one transaction. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection c) throws SQLException;
}
