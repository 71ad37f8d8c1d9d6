package io.parley.bench.load;

import io.parley.protocol.sasl.SaslMechanism;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server under test: where it listens, its XMPP domain, how to authenticate, the OS process
 * to read memory from (0 when unknown), and optionally how to start and stop it.
 *
 * @param jvm whether the process is a JVM (then heap after a full GC is measured too)
 * @param start a script that starts the server and returns once it serves (or null)
 * @param stop a script that stops it (or null)
 * @param pidFile where the start script leaves the server's process id (or null)
 */
public record Target(String name, String host, int port, String domain, boolean directTls, SaslMechanism mechanism,
                     long pid, boolean jvm, Path start, Path stop, Path pidFile) {

    /**
     * Parses {@code name=parley,port=5222,domain=localhost,pid=123,jvm=true,mechanism=SCRAM-SHA-1,host=127.0.0.1,
     * start=/path/start.sh,stop=/path/stop.sh,pidfile=/path/pid}.
     */
    public static Target parse(String spec) {
        Map<String, String> m = new HashMap<>();
        for (String part : spec.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("bad target part '" + part + "' in " + spec);
            }
            m.put(kv[0].trim(), kv[1].trim());
        }
        SaslMechanism mech = SaslMechanism.fromName(m.getOrDefault("mechanism", "SCRAM-SHA-1"));
        if (mech == null) {
            throw new IllegalArgumentException("unknown mechanism in " + spec);
        }
        return new Target(m.getOrDefault("name", "server"), m.getOrDefault("host", "127.0.0.1"),
                Integer.parseInt(m.getOrDefault("port", "5222")), m.getOrDefault("domain", "localhost"),
                Boolean.parseBoolean(m.getOrDefault("directTls", "false")), mech,
                Long.parseLong(m.getOrDefault("pid", "0")), Boolean.parseBoolean(m.getOrDefault("jvm", "false")),
                path(m.get("start")), path(m.get("stop")), path(m.get("pidfile")));
    }

    /** The spec of how clients reach this server (no process handling), for helper load processes. */
    public String connectSpec() {
        return "name=" + name + ",host=" + host + ",port=" + port + ",domain=" + domain + ",directTls=" + directTls
                + ",mechanism=" + mechanism.mechanismName();
    }

    private static Path path(String s) {
        return s == null || s.isEmpty() ? null : Path.of(s);
    }

    /** True when the bench starts and stops this server itself. */
    public boolean managed() {
        return start != null && stop != null;
    }

    /** Runs the start script (bounded) and returns this target with the server's process id. */
    public Target started() throws IOException, InterruptedException {
        run(start, "start");
        long p = pid;
        if (pidFile != null && Files.exists(pidFile)) {
            p = Long.parseLong(Files.readString(pidFile).trim());
        }
        return new Target(name, host, port, domain, directTls, mechanism, p, jvm, start, stop, pidFile);
    }

    /** Runs the stop script (bounded). */
    public void stopped() throws IOException, InterruptedException {
        run(stop, "stop");
    }

    private void run(Path script, String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", script.toString()).inheritIO().start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(name + ": " + what + " script did not finish: " + script);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(name + ": " + what + " script failed (exit " + p.exitValue() + "): " + script);
        }
    }
}
