package io.parley.engine.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The rows of an H2 journal and snapshot store as JSON (binary columns in base64), to keep a
 * store written by one release as a test fixture and load it into a fresh store later.
 */
final class JournalFixture {

    static final List<String> TABLES = List.of("event_journal", "snapshot");
    private static final ObjectMapper JSON = new ObjectMapper();

    private JournalFixture() {
    }

    static String url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath() + "/journal;DATABASE_TO_UPPER=false";
    }

    private static boolean binary(int type) {
        return type == Types.BLOB || type == Types.VARBINARY || type == Types.BINARY || type == Types.LONGVARBINARY;
    }

    static void dump(Path dataDir, Path out) throws Exception {
        ObjectNode root = JSON.createObjectNode();
        try (Connection c = DriverManager.getConnection(url(dataDir), "parley", "")) {
            for (String table : TABLES) {
                ArrayNode rows = root.putArray(table);
                try (ResultSet rs = c.createStatement().executeQuery("SELECT * FROM \"" + table + "\"")) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        ObjectNode row = rows.addObject();
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            String col = md.getColumnLabel(i);
                            if (col.equals("ordering") || rs.getObject(i) == null) {
                                continue;
                            }
                            row.put(col, binary(md.getColumnType(i)) ? Base64.getEncoder().encodeToString(rs.getBytes(i)) : rs.getString(i));
                        }
                    }
                }
            }
        }
        Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    /** Inserts a fixture's rows into the (created, empty) store of a stopped node. */
    static void load(String fixture, Path dataDir) throws Exception {
        JsonNode root = JSON.readTree(fixture);
        try (Connection c = DriverManager.getConnection(url(dataDir), "parley", "")) {
            for (String table : TABLES) {
                List<String> names = new ArrayList<>();
                List<Boolean> binaries = new ArrayList<>();
                try (ResultSet rs = c.createStatement().executeQuery("SELECT * FROM \"" + table + "\" WHERE 1=0")) {
                    ResultSetMetaData md = rs.getMetaData();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        names.add(md.getColumnLabel(i));
                        binaries.add(binary(md.getColumnType(i)));
                    }
                }
                for (JsonNode row : root.path(table)) {
                    StringBuilder cols = new StringBuilder();
                    StringBuilder marks = new StringBuilder();
                    List<Object> values = new ArrayList<>();
                    for (int i = 0; i < names.size(); i++) {
                        String col = names.get(i);
                        if (!row.has(col)) {
                            continue;
                        }
                        cols.append(cols.length() == 0 ? "" : ",").append('"').append(col).append('"');
                        marks.append(marks.length() == 0 ? "?" : ",?");
                        values.add(binaries.get(i) ? Base64.getDecoder().decode(row.get(col).asText()) : row.get(col).asText());
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO \"" + table + "\" (" + cols + ") VALUES (" + marks + ")")) {
                        for (int i = 0; i < values.size(); i++) {
                            ps.setObject(i + 1, values.get(i));
                        }
                        ps.executeUpdate();
                    }
                }
            }
        }
    }
}
