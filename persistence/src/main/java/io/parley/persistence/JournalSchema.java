package io.parley.persistence;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;

/**
 * Creates the JDBC journal's tables when they are missing, then checks that they exist:
 * akka-persistence-jdbc's {@code SchemaUtils} logs SQL errors at DEBUG and carries on, so a
 * broken schema would otherwise only show later as "table not found".
 */
public final class JournalSchema {

    static final List<String> TABLES = List.of("event_journal", "event_tag", "snapshot");

    private JournalSchema() {
    }

    /** Creates the schema if needed; completes exceptionally when a table is still missing. */
    public static CompletionStage<Done> ensure(ActorSystem<?> system) {
        String prefix = "akka-persistence-jdbc.shared-databases.slick.db.";
        String url = system.settings().config().getString(prefix + "url");
        String user = system.settings().config().getString(prefix + "user");
        String password = system.settings().config().getString(prefix + "password");
        return SchemaUtils.createIfNotExists(system).thenApply(done -> {
            List<String> missing = missingTables(url, user, password);
            if (!missing.isEmpty()) {
                throw new IllegalStateException("journal tables missing after schema creation: " + missing + " at " + url);
            }
            return done;
        });
    }

    static List<String> missingTables(String url, String user, String password) {
        List<String> missing = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            for (String table : TABLES) {
                boolean found = false;
                for (String candidate : new String[] {table, table.toUpperCase(Locale.ROOT)}) {
                    try (ResultSet rs = c.getMetaData().getTables(null, null, candidate, null)) {
                        found |= rs.next();
                    }
                }
                if (!found) {
                    missing.add(table);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the journal database at " + url + ": " + e.getMessage(), e);
        }
        return missing;
    }
}
