package io.parley.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.parley.engine.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Starts one node in the foreground: {@code parley [--config FILE]}. Without a file it uses
 * {@code conf/parley.conf} when present, else the defaults. Exit codes: 2 for a bad
 * configuration, 3 for a port that cannot be bound, 1 for anything else that stops the start.
 */
public final class Parley {

    private Parley() {
    }

    public static void main(String[] args) {
        org.slf4j.LoggerFactory.getLogger(Parley.class); // initialise logging before Akka's threads log
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = Path.of(args[++i]);
            } else if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println("usage: parley [--config FILE]");
                return;
            } else {
                System.err.println("parley: unknown argument " + args[i] + " (usage: parley [--config FILE])");
                System.exit(2);
            }
        }
        if (file == null && Files.isRegularFile(Path.of("conf/parley.conf"))) {
            file = Path.of("conf/parley.conf");
        }
        Config config;
        try {
            config = file == null ? ConfigLoader.load(ConfigFactory.empty()) : ConfigLoader.load(file);
        } catch (ConfigException e) {
            System.err.println("parley: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        ParleyNode node;
        try {
            node = ParleyNode.start(config).toCompletableFuture().get();
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() instanceof CompletionException ce ? ce.getCause() : e.getCause();
            if (cause instanceof ConfigException ce2) {
                System.err.println("parley: bad configuration: " + ce2.getMessage());
                System.exit(2);
            }
            if (cause instanceof ParleyNode.PortUnavailableException) {
                System.err.println("parley: " + cause.getMessage());
                System.exit(3);
            }
            System.err.println("parley: cannot start: " + cause);
            System.exit(1);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        System.out.println("parley: serving " + node.settings().domain() + " on "
                + node.settings().c2s().iface() + (node.port() >= 0 ? " port " + node.port() + " (STARTTLS)" : "")
                + (node.directTlsPort() >= 0 ? " port " + node.directTlsPort() + " (Direct TLS)" : "")
                + "; data in " + node.settings().dataDir().toAbsolutePath());
        node.system().getWhenTerminated().toCompletableFuture().join();
    }
}
