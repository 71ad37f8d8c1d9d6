package io.parley.cassandra;

import java.io.IOException;
import java.io.InputStream;

/**
 * Runs a Cassandra node in the foreground (the launcher sets {@code cassandra.config},
 * {@code cassandra.storagedir} and the rest) and exits when its standard input reaches end of
 * file: the launching process holds the other end, so a node started by a test or a benchmark
 * stops with it even when that process is killed and cannot stop the node by its PID.
 */
public final class CassandraMain {

    private CassandraMain() {
    }

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            try {
                while (in.read(buffer) >= 0) {
                    // the launcher writes nothing; any input is ignored
                }
            } catch (IOException e) {
                // a broken pipe means the same as end of file
            }
            System.exit(0);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        org.apache.cassandra.service.CassandraDaemon.main(args);
    }
}
