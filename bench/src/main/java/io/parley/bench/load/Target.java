package io.parley.bench.load;

import io.parley.protocol.sasl.SaslMechanism;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server under test: where it listens, its XMPP domain, how to authenticate, the OS process
 * to read memory from (0 when unknown), and optionally how to start and stop it.
 *
 * @param jvm whether the process is a JVM (then heap after a full GC is measured too)
 * @param start a script that starts the server and returns once it serves (or null)
 * @param stop a script that stops it (or null)
 * @param pidFile where the start script leaves the server's process id, or one per node (or null)
 * @param ports every node's client port when the target is a cluster ({@code ports=5222/5232/5242});
 *              just {@code port} otherwise
 * @param pids every node's process id, for CPU accounting ({@code pids=11/12/13}); just {@code pid} otherwise
 * @param placement how clients spread over the nodes: {@code spread} (client i on node i mod n, so
 *                  the two clients of a chat pair are on different nodes) or {@code pairs} (clients
 *                  2k and 2k+1 on the same node)
 */
public record Target(String name, String host, int port, String domain, boolean directTls, SaslMechanism mechanism,
                     long pid, boolean jvm, Path start, Path stop, Path pidFile, List<Integer> ports, List<Long> pids,
                     String placement) {

    public Target {
        ports = ports == null || ports.isEmpty() ? List.of(port) : List.copyOf(ports);
        pids = pids == null || pids.isEmpty() ? (pid > 0 ? List.of(pid) : List.of()) : List.copyOf(pids);
        placement = placement == null ? "spread" : placement;
        if (!placement.equals("spread") && !placement.equals("pairs")) {
            throw new IllegalArgumentException("placement must be spread or pairs, not " + placement);
        }
    }

    public Target(String name, String host, int port, String domain, boolean directTls, SaslMechanism mechanism,
                  long pid, boolean jvm, Path start, Path stop, Path pidFile) {
        this(name, host, port, domain, directTls, mechanism, pid, jvm, start, stop, pidFile, null, null, null);
    }

    /** The client port the {@code i}-th client of a scenario connects to. */
    public int portFor(int i) {
        int n = ports.size();
        return ports.get(Math.floorMod(placement.equals("pairs") ? i / 2 : i, n));
    }

    /**
     * Parses {@code name=parley,port=5222,domain=localhost,pid=123,jvm=true,mechanism=SCRAM-SHA-1,host=127.0.0.1,
     * start=/path/start.sh,stop=/path/stop.sh,pidfile=/path/pid}; a cluster adds
     * {@code ports=5222/5232/5242,pids=11/12/13,placement=spread|pairs}.
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
                path(m.get("start")), path(m.get("stop")), path(m.get("pidfile")),
                list(m.get("ports"), Integer::valueOf), list(m.get("pids"), Long::valueOf), m.get("placement"));
    }

    private static <T> List<T> list(String s, java.util.function.Function<String, T> parse) {
        return s == null || s.isEmpty() ? null : java.util.Arrays.stream(s.split("/")).map(String::trim).map(parse).toList();
    }

    /** The spec of how clients reach this server (no process handling), for helper load processes. */
    public String connectSpec() {
        return "name=" + name + ",host=" + host + ",port=" + port + ",domain=" + domain + ",directTls=" + directTls
                + ",mechanism=" + mechanism.mechanismName() + ",placement=" + placement
                + ",ports=" + String.join("/", ports.stream().map(String::valueOf).toList());
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
        List<Long> ps = pids;
        if (pidFile != null && Files.exists(pidFile)) {
            // one process id, or one per node of a cluster
            ps = java.util.Arrays.stream(Files.readString(pidFile).trim().split("\\s+")).map(Long::valueOf).toList();
        }
        return new Target(name, host, port, domain, directTls, mechanism, ps.isEmpty() ? pid : ps.get(0), jvm, start, stop,
                pidFile, ports, ps, placement);
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
