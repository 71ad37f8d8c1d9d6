package io.parley.persistence;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.persistence.cassandra.KeyspaceAndTableStatements;
import akka.persistence.cassandra.PluginSettings;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import akka.stream.alpakka.cassandra.CassandraSessionSettings;
import akka.stream.alpakka.cassandra.javadsl.CassandraSession;
import akka.stream.alpakka.cassandra.javadsl.CassandraSessionRegistry;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Creates the store's schema when asked (tables for the JDBC stores, keyspaces and tables for
 * Cassandra), then checks that it is there. Akka Persistence JDBC's {@code SchemaUtils} logs SQL
 * errors at DEBUG and carries on, and the Cassandra plugin fails only at the first query, so a
 * missing or broken schema would otherwise show up later, one failed write at a time.
 * The store is the one {@code parley.store} names.
 */
public final class StoreSchema {

    static final List<String> JDBC_TABLES = List.of("event_journal", "event_tag", "snapshot");
    static final List<String> CASSANDRA_JOURNAL_TABLES = List.of("messages", "metadata", "all_persistence_ids");
    static final List<String> CASSANDRA_SNAPSHOT_TABLES = List.of("snapshots");
    private static final String CASSANDRA_PLUGIN = "akka.persistence.cassandra";

    private StoreSchema() {
    }

    /**
     * Creates the schema if {@code create} and it is missing, then verifies it; completes
     * exceptionally, naming what is missing and where, when it is not all there.
     */
    public static CompletionStage<Done> ensure(ActorSystem<?> system, boolean create) {
        String store = system.settings().config().getString("parley.store");
        return "cassandra".equals(store) ? cassandra(system, create) : jdbc(system, create);
    }

    // ---- JDBC (h2, postgres) --------------------------------------------------------------------

    private static CompletionStage<Done> jdbc(ActorSystem<?> system, boolean create) {
        String prefix = "akka-persistence-jdbc.shared-databases.slick.db.";
        Config config = system.settings().config();
        String url = config.getString(prefix + "url");
        String user = config.getString(prefix + "user");
        String password = config.getString(prefix + "password");
        CompletionStage<Done> created = create ? SchemaUtils.createIfNotExists(system)
                : CompletableFuture.completedFuture(Done.getInstance());
        return created.thenApplyAsync(done -> {
            List<String> missing = missingJdbcTables(url, user, password);
            if (!missing.isEmpty()) {
                throw new IllegalStateException("store tables missing" + (create ? " after creating them" : "") + ": "
                        + missing + " at " + url + (create ? "" : " (run `parleyctl db init`)"));
            }
            return done;
        }, system.executionContext());
    }

    static List<String> missingJdbcTables(String url, String user, String password) {
        List<String> missing = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            for (String table : JDBC_TABLES) {
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
            throw new IllegalStateException("cannot open the store at " + url + ": " + e.getMessage(), e);
        }
        return missing;
    }

    // ---- Cassandra ------------------------------------------------------------------------------

    private static CompletionStage<Done> cassandra(ActorSystem<?> system, boolean create) {
        akka.actor.ActorSystem classic = Adapter.toClassic(system);
        CassandraSession session = CassandraSessionRegistry.get(system).sessionFor(CassandraSessionSettings.create(CASSANDRA_PLUGIN));
        PluginSettings settings = PluginSettings.apply(classic);
        KeyspaceAndTableStatements statements = new KeyspaceAndTableStatements(classic, CASSANDRA_PLUGIN, settings);
        String journalKs = settings.journalSettings().keyspace();
        String snapshotKs = settings.snapshotSettings().keyspace();
        CompletionStage<Done> created = CompletableFuture.completedFuture(Done.getInstance());
        if (create) {
            List<String> ddl = new ArrayList<>();
            ddl.add(statements.createJournalKeyspaceStatement());
            ddl.addAll(statements.getCreateJournalTablesStatements());
            ddl.add(statements.createSnapshotKeyspaceStatement());
            ddl.addAll(statements.getCreateSnapshotTablesStatements());
            for (String statement : ddl) {
                created = created.thenCompose(d -> session.executeDDL(statement));
            }
        }
        return created
                .thenCompose(d -> tablesOf(session, journalKs))
                .thenCompose(journal -> tablesOf(session, snapshotKs).thenApply(snapshot -> {
                    List<String> missing = new ArrayList<>();
                    CASSANDRA_JOURNAL_TABLES.stream().filter(t -> !journal.contains(t)).forEach(t -> missing.add(journalKs + "." + t));
                    CASSANDRA_SNAPSHOT_TABLES.stream().filter(t -> !snapshot.contains(t)).forEach(t -> missing.add(snapshotKs + "." + t));
                    if (!missing.isEmpty()) {
                        throw new IllegalStateException("store tables missing" + (create ? " after creating them" : "") + ": "
                                + missing + (create ? "" : " (run `parleyctl db init`)"));
                    }
                    return Done.getInstance();
                }));
    }

    private static CompletionStage<Set<String>> tablesOf(CassandraSession session, String keyspace) {
        return session.selectAll("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace)
                .thenApply(rows -> {
                    Set<String> names = new HashSet<>();
                    for (Row r : rows) {
                        names.add(r.getString("table_name"));
                    }
                    return names;
                });
    }
}
