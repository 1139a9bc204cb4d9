package dev.strata.replication;

import dev.strata.replication.pgwire.ConnInfo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Says what to change on a primary that refuses a replication connection, after asking it over an ordinary SQL
 * connection for the settings replication depends on.
 */
final class PrimaryDiagnosis {
    private PrimaryDiagnosis() {
    }

    static String advice(ConnInfo info) {
        String walLevel;
        int senders;
        int slots;
        try (Connection c = DriverManager.getConnection(info.jdbcUrl(), info.jdbcProperties(false));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('wal_level'), "
                     + "current_setting('max_wal_senders')::int, current_setting('max_replication_slots')::int")) {
            rs.next();
            walLevel = rs.getString(1);
            senders = rs.getInt(2);
            slots = rs.getInt(3);
        } catch (SQLException e) {
            return "The primary needs wal_level = replica, max_wal_senders >= 2, max_replication_slots >= 1 and a "
                    + "pg_hba.conf line for database 'replication' for this user";
        }
        StringBuilder b = new StringBuilder();
        if (!walLevel.equals("replica") && !walLevel.equals("logical")) {
            b.append("wal_level = replica");
        }
        if (senders < 2) {
            b.append(b.length() > 0 ? ", " : "").append("max_wal_senders = 10");
        }
        if (slots < 1) {
            b.append(b.length() > 0 ? ", " : "").append("max_replication_slots = 10");
        }
        if (b.length() > 0) {
            return "The primary runs with wal_level=" + walLevel + ", max_wal_senders=" + senders
                    + ", max_replication_slots=" + slots + ": set " + b + " in its postgresql.conf and restart it";
        }
        return "Its settings allow replication, so check that pg_hba.conf has a line for database 'replication' "
                + "for user " + info.user() + " and that the role has the REPLICATION attribute";
    }
}
