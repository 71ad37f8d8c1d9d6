package io.parley.persistence.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server on loopback from the machine's own binaries (Debian's {@code postgresql}
 * package, {@code /usr/lib/postgresql/<version>/bin}), for tests and benchmarks: its own data
 * directory, a free port, {@code fsync} on, a database {@code parley} owned by user
 * {@code parley}. Run as root, the server runs as the {@code postgres} user (PostgreSQL refuses
 * root). The data directory survives {@link #stop()}/{@link #start()}, so a test can stop, kill
 * and restart the server. PostgreSQL shuts itself down when its data directory's lock file goes,
 * and {@link #close()} stops it by its PID.
 */
public final class LocalPostgres extends LocalServer {

    private final Path dir;
    private final int port;
    private final Path bin;

    private LocalPostgres(Path dir, int port, Path bin) {
        this.dir = dir;
        this.port = port;
        this.bin = bin;
    }

    /** A server with its data under {@code dir} on a free port; not started yet. */
    public static LocalPostgres in(Path dir) throws IOException {
        return new LocalPostgres(dir, LocalCassandra.freePort(), binaries());
    }

    /** Whether this machine has PostgreSQL's server binaries. */
    public static boolean available() {
        try {
            binaries();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Initialises the data directory once, starts the server and waits until it accepts the parley user. */
    public synchronized LocalPostgres start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return this;
        }
        Path data = dir.resolve("pgdata");
        boolean fresh = !Files.isRegularFile(data.resolve("PG_VERSION"));
        Files.createDirectories(dir);
        if (fresh) {
            Files.createDirectories(data);
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            handToServerUser(dir);
            run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--locale=C", "--no-instructions"));
        }
        List<String> cmd = asServerUser(List.of(bin.resolve("postgres").toString(), "-D", data.toString(),
                "-p", Integer.toString(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + dir,
                "-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "max_connections=100",
                "-c", "shared_buffers=64MB", "-c", "logging_collector=off"));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "")) {
                if (fresh) {
                    try (Statement s = c.createStatement()) {
                        s.execute("CREATE USER parley");
                        s.execute("CREATE DATABASE parley OWNER parley");
                    }
                }
                return this;
            } catch (SQLException e) {
                if (!process.isAlive()) {
                    throw new IOException("PostgreSQL exited with " + process.exitValue() + "; see " + dir.resolve("server.log"));
                }
                if (System.nanoTime() > deadline) {
                    kill();
                    throw new IOException("PostgreSQL did not accept connections within 60 s: " + e.getMessage());
                }
                Thread.sleep(100);
            }
        }
    }

    /** Creates another database owned by parley (a fresh store for one test) and returns its JDBC URL. */
    public String createDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " OWNER parley");
        }
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    /** The JDBC URL of the parley database (user parley, no password). */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/parley";
    }

    public int port() {
        return port;
    }

    /** Fast shutdown (SIGINT: sessions end, the server checkpoints). */
    @Override
    protected void askToStop() throws InterruptedException {
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            process.destroy();
        }
    }

    /** Orphaned backends notice the postmaster is gone and exit; then its lock file may go. */
    @Override
    protected void afterKill() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (backendsAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        try {
            Files.deleteIfExists(dir.resolve("pgdata/postmaster.pid"));
        } catch (IOException ignored) {
            // the next start reports a stale lock file if it is still there
        }
    }

    private boolean backendsAlive() {
        String marker = dir.resolve("pgdata").toString();
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false)
                && p.info().command().map(c -> c.contains("postgres")).orElse(false));
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Run as root, the server must run as postgres: setpriv execs, so the PID stays the server's. */
    private static List<String> asServerUser(List<String> cmd) {
        if (!root()) {
            return cmd;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
        wrapped.addAll(cmd);
        return wrapped;
    }

    private static void handToServerUser(Path dir) throws IOException, InterruptedException {
        if (root()) {
            // the server user must reach the directory: every parent needs search permission
            for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new IOException(p + " is not searchable by the postgres user; put the data under /tmp");
                }
            }
            Process p = new ProcessBuilder("chown", "-R", "postgres:postgres", dir.toString()).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IOException("cannot hand " + dir + " to the postgres user");
            }
        }
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(asServerUser(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    /** The newest installed server's bin directory; PARLEY_PG_BIN overrides. */
    static Path binaries() throws IOException {
        String explicit = System.getenv("PARLEY_PG_BIN");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/postgres")))
                        .max(Comparator.comparingInt(v -> {
                            try {
                                return Integer.parseInt(v.getFileName().toString());
                            } catch (NumberFormatException e) {
                                return 0;
                            }
                        }));
                if (newest.isPresent()) {
                    return newest.get().resolve("bin");
                }
            }
        }
        throw new IOException("no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)");
    }
}
