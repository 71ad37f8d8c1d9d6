package io.parley.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.Awaits;
import io.parley.engine.testkit.JavaProcess;
import io.parley.engine.testkit.StoreServers;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jivesoftware.smack.StanzaListener;
import org.jivesoftware.smack.filter.MessageWithBodiesFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.iqlast.LastActivityManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Three server JVMs on one PostgreSQL store; one is killed with SIGKILL while a sender on
 * another node streams messages to users on the third. The receivers never notice (their
 * sessions stay, messages keep coming, each confirmed one exactly once and in order); the dead
 * node's clients are seen unavailable by their contacts, reconnect to a surviving node and
 * carry on.
 */
@ExtendWith(StoreServers.class)
class ClusterCrashTest {

    @TempDir
    Path dir;

    private final int[] clientPorts = new int[3];
    private Path data0;

    private Process startNode(int i, Map<String, Object> store, int[] arteryPorts) throws Exception {
        Path data = dir.resolve("node" + i);
        StringBuilder conf = new StringBuilder("parley {\n")
                .append("  data-dir = \"").append(data).append("\"\n")
                .append("  c2s { port = ").append(clientPorts[i]).append(", direct-tls-port = -1, max-stanzas-per-second = 100000, stanza-burst = 100000 }\n")
                .append("  admin.port = -1\n")
                .append("  registration.per-address-per-hour = 100000\n")
                .append("  tls.key-store = \"").append(dir.resolve("tls.p12")).append("\"\n")
                .append("  store = \"postgres\"\n")
                .append("  postgres.url = \"").append(store.get("parley.postgres.url")).append("\"\n")
                .append("  cluster { port = ").append(arteryPorts[i]).append(", seed-nodes = [")
                .append(seeds(arteryPorts)).append("], down-unreachable-after = 5s, reattach-grace = 5s, remember-entities-store = \"eventsourced\" }\n")
                .append("}\n")
                .append(System.getProperty("parley.test.node-extra", ""));
        java.nio.file.Files.createDirectories(data);
        Path file = dir.resolve("node" + i + ".conf");
        java.nio.file.Files.writeString(file, conf);
        return JavaProcess.startNode(dir, file);
    }

    /** Free client ports into {@link #clientPorts}; returns free cluster (Artery) ports. */
    private int[] freePorts() throws Exception {
        int[] artery = new int[3];
        for (int i = 0; i < 3; i++) {
            try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
                artery[i] = a.getLocalPort();
                clientPorts[i] = b.getLocalPort();
            }
        }
        return artery;
    }

    /** SIGTERM to every node, SIGKILL to any still running after 60 s. */
    private static void stopAll(List<Process> servers) throws InterruptedException {
        for (Process p : servers) {
            p.destroy();
        }
        for (Process p : servers) {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** Every node is a seed, so any of them, the first included, can restart and rejoin the running cluster. */
    private static String seeds(int[] arteryPorts) {
        StringBuilder b = new StringBuilder();
        for (int p : arteryPorts) {
            b.append(b.length() == 0 ? "" : ", ").append("\"akka://parley@127.0.0.1:").append(p).append("\"");
        }
        return b.toString();
    }

    private XMPPTCPConnection login(int node, String user) throws Exception {
        return Smack.login(clientPorts[node], dir, user, "pw-" + user, "n" + node);
    }

    private void register(int node, String user) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(Smack.config(clientPorts[node], dir, null, null, null).build());
        try {
            c.connect();
            org.jivesoftware.smackx.iqregister.AccountManager.getInstance(c).createAccount(
                    org.jxmpp.jid.parts.Localpart.from(user), "pw-" + user, new java.util.HashMap<>());
        } finally {
            c.disconnect();
        }
    }

    /** {@code user} logs in on {@code node} and becomes the watcher's contact both ways. */
    private XMPPTCPConnection friendOfWatcher(XMPPTCPConnection watcher, int node, String user) throws Exception {
        register(node, user);
        XMPPTCPConnection c = new XMPPTCPConnection(Smack.config(clientPorts[node], dir, user, "pw-" + user, "n" + node).build());
        Roster.getInstanceFor(c).addSubscribeListener((from, p) ->
                org.jivesoftware.smack.roster.SubscribeListener.SubscribeAnswer.ApproveAndAlsoRequestIfRequired);
        c.connect().login();
        Roster wr = Roster.getInstanceFor(watcher);
        wr.createItemAndRequestSubscription(jid(user), user, null);
        Awaits.until(user + " befriended", () -> {
            var e = wr.getEntry(jid(user));
            return e != null && e.getType() == org.jivesoftware.smack.roster.packet.RosterPacket.ItemType.both
                    && wr.getPresence(jid(user)).isAvailable();
        }, 30);
        return c;
    }

    @Test
    void aKilledNodesClientsMoveOnAndTheOthersNeverNotice() throws Exception {
        Map<String, Object> store = StoreServers.freshStore("postgres");
        int[] artery = freePorts();
        List<Process> servers = new ArrayList<>();
        try {
            servers.add(startNode(0, store, artery)); // creates the schema and the shared certificate
            servers.add(startNode(1, store, artery));
            servers.add(startNode(2, store, artery));

            String w = "watcher";
            register(0, w);
            XMPPTCPConnection watcher = new XMPPTCPConnection(Smack.config(clientPorts[0], dir, w, "pw-" + w, "n0").build());
            Roster.getInstanceFor(watcher).addSubscribeListener((from, p) ->
                    org.jivesoftware.smack.roster.SubscribeListener.SubscribeAnswer.Approve);
            watcher.connect().login();
            List<String> survivors = List.of("s1", "s2", "s3");
            List<String> doomed = List.of("d1", "d2", "d3");
            Map<String, XMPPTCPConnection> conns = new ConcurrentHashMap<>();
            Map<String, List<Integer>> received = new ConcurrentHashMap<>();
            for (String s : survivors) {
                XMPPTCPConnection c = friendOfWatcher(watcher, 1, s);
                List<Integer> got = new CopyOnWriteArrayList<>();
                received.put(s, got);
                c.addSyncStanzaListener(st -> got.add(Integer.parseInt(((Message) st).getBody())), MessageWithBodiesFilter.INSTANCE);
                conns.put(s, c);
            }
            for (String d : doomed) {
                conns.put(d, friendOfWatcher(watcher, 2, d));
            }

            // the watcher streams numbered messages to the survivors; a last-activity round trip through
            // each receiver's entity after each message confirms it (what a round trip that fails or
            // times out follows stays unconfirmed: sent to a node that died, it is lost, as in any crash)
            AtomicBoolean stop = new AtomicBoolean();
            Map<String, java.util.Set<Integer>> confirmed = new ConcurrentHashMap<>();
            survivors.forEach(s -> confirmed.put(s, ConcurrentHashMap.newKeySet()));
            AtomicInteger rounds = new AtomicInteger();
            Thread sender = new Thread(() -> {
                int[] sent = new int[survivors.size()];
                LastActivityManager last = LastActivityManager.getInstanceFor(watcher);
                while (!stop.get()) {
                    for (int k = 0; k < survivors.size(); k++) {
                        try {
                            sent[k]++;
                            watcher.sendStanza(watcher.getStanzaFactory().buildMessageStanza().to(jid(survivors.get(k)))
                                    .ofType(Message.Type.chat).setBody(Integer.toString(sent[k])).build());
                            int number = sent[k];
                            last.getLastActivity(jid(survivors.get(k)));
                            confirmed.get(survivors.get(k)).add(number);
                        } catch (Exception e) {
                            // unconfirmed (the receiver's entity was on the dead node): not counted
                        }
                    }
                    rounds.incrementAndGet();
                }
            });
            sender.setDaemon(true);
            sender.start();
            Awaits.until("messages flowing", () -> rounds.get() >= 20, 60);

            servers.get(2).destroyForcibly(); // SIGKILL
            assertThat(servers.get(2).waitFor(30, TimeUnit.SECONDS)).isTrue();
            Roster wr = Roster.getInstanceFor(watcher);
            for (String d : doomed) {
                Awaits.until(d + " seen unavailable", () -> !wr.getPresence(jid(d)).isAvailable(), 60);
            }
            // the dead node's clients come back through a surviving node
            for (String d : doomed) {
                conns.get(d).instantShutdown();
                conns.put(d, login(0, d));
                Awaits.until(d + " back", () -> wr.getPresence(jid(d)).isAvailable(), 30);
            }
            int after = rounds.get();
            Awaits.until("messages flowing after the kill", () -> rounds.get() >= after + 20, 90);
            stop.set(true);
            sender.join(30_000);

            for (String s : survivors) {
                assertThat(conns.get(s).isAuthenticated()).as("%s never lost its session", s).isTrue();
                java.util.Set<Integer> c = confirmed.get(s);
                Awaits.until(s + " has everything confirmed", () -> received.get(s).containsAll(c), 30);
                List<Integer> got = received.get(s);
                assertThat(got).as("%s: no duplicates", s).doesNotHaveDuplicates();
                assertThat(got).as("%s: in order", s).isSorted();
                System.out.printf("%s: %d confirmed, %d received%n", s, c.size(), got.size());
            }
            conns.values().forEach(XMPPTCPConnection::disconnect);
            watcher.disconnect();
        } finally {
            stopAll(servers);
        }
    }

    /**
     * Every node in turn stops (SIGTERM: it hands its entities over and closes its streams with
     * system-shutdown) and starts again while a sender streams messages to three receivers; the
     * sender and the receivers reconnect to another node when theirs stops. Every message the
     * sender sent arrives exactly once, in order (live or, while its receiver reconnects, from
     * offline storage).
     */
    @Test
    void aRollingRestartLosesNothing() throws Exception {
        Map<String, Object> store = StoreServers.freshStore("postgres");
        int[] artery = freePorts();
        List<Process> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            servers.add(startNode(i, store, artery));
        }
        try {
            register(0, "sender");
            List<String> receivers = List.of("r1", "r2", "r3");
            Map<String, List<Integer>> received = new ConcurrentHashMap<>();
            Map<String, XMPPTCPConnection> conns = new ConcurrentHashMap<>();
            for (String r : receivers) {
                register(1, r);
                received.put(r, new CopyOnWriteArrayList<>());
                conns.put(r, receiver(r, 1, received.get(r)));
            }
            AtomicBoolean stop = new AtomicBoolean();
            Map<String, java.util.Set<Integer>> confirmed = new ConcurrentHashMap<>();
            receivers.forEach(r -> confirmed.put(r, ConcurrentHashMap.newKeySet()));
            AtomicInteger rounds = new AtomicInteger();
            AtomicInteger senderNode = new AtomicInteger(0);
            java.util.concurrent.atomic.AtomicReference<String> phase = new java.util.concurrent.atomic.AtomicReference<>("all up");
            Map<String, String> phaseOf = new ConcurrentHashMap<>();
            Thread sender = new Thread(() -> {
                XMPPTCPConnection c = null;
                int[] sent = new int[receivers.size()];
                while (!stop.get()) {
                    try {
                        if (c == null || !c.isAuthenticated()) {
                            c = login(senderNode.get(), "sender");
                        }
                        for (int k = 0; k < receivers.size(); k++) {
                            int n = ++sent[k];
                            c.sendStanza(c.getStanzaFactory().buildMessageStanza().to(jid(receivers.get(k)))
                                    .ofType(Message.Type.chat).setBody(Integer.toString(n)).build());
                            // a ping answered by the sender's server: the message before it was read and routed
                            // (one whose ping fails was perhaps never read by a server closing the stream)
                            org.jivesoftware.smackx.ping.PingManager.getInstanceFor(c).pingMyServer(false);
                            confirmed.get(receivers.get(k)).add(n);
                            phaseOf.put(receivers.get(k) + "/" + n, phase.get() + " (sender on " + c.getPort() + ")");
                        }
                        rounds.incrementAndGet();
                    } catch (Exception e) {
                        c = null; // its node is stopping: reconnect to another one
                    }
                }
                if (c != null) {
                    c.disconnect();
                }
            });
            sender.setDaemon(true);
            sender.start();
            Awaits.until("messages flowing", () -> rounds.get() >= 10, 60);

            for (int node : new int[] {2, 1, 0}) {
                if (node == 0) {
                    senderNode.set(1);
                }
                Process p = servers.get(node);
                phase.set("stopping node " + node);
                p.destroy(); // SIGTERM
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("node %d stops on SIGTERM", node).isTrue();
                if (node == 1) {
                    for (String r : receivers) {
                        conns.get(r).instantShutdown();
                        conns.put(r, receiver(r, 2, received.get(r)));
                    }
                }
                phase.set("node " + node + " stopped");
                servers.set(node, startNode(node, store, artery));
                phase.set("node " + node + " restarted");
                int at = rounds.get();
                Awaits.until("messages flowing after node " + node + " restarted", () -> rounds.get() >= at + 10, 90);
            }
            stop.set(true);
            sender.join(30_000);

            for (String r : receivers) {
                java.util.Set<Integer> c = confirmed.get(r);
                try {
                    Awaits.until(r + " has every confirmed message", () -> received.get(r).containsAll(c), 30);
                } catch (AssertionError e) {
                    for (int n : new java.util.TreeSet<>(c)) {
                        if (!received.get(r).contains(n)) {
                            System.out.printf("LOST %s #%d sent while %s%n", r, n, phaseOf.get(r + "/" + n));
                        }
                    }
                    throw e;
                }
                System.out.printf("%s: %d confirmed, %d received%n", r, c.size(), received.get(r).size());
                assertThat(received.get(r)).as("%s: no duplicates", r).doesNotHaveDuplicates();
                assertThat(received.get(r)).as("%s: in order", r).isSorted();
            }
            conns.values().forEach(XMPPTCPConnection::disconnect);
        } finally {
            stopAll(servers);
            if (System.getProperty("parley.test.keep-logs") != null) {
                Path keep = Path.of(System.getProperty("parley.test.keep-logs"));
                java.nio.file.Files.createDirectories(keep);
                try (var files = java.nio.file.Files.list(dir)) {
                    for (Path f : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                        java.nio.file.Files.copy(f, keep.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }

    /** A receiver logged in on {@code node}, adding the numbers of the messages it gets to {@code got}. */
    private XMPPTCPConnection receiver(String user, int node, List<Integer> got) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(Smack.config(clientPorts[node], dir, user, "pw-" + user, "n" + node).build());
        c.addSyncStanzaListener(st -> got.add(Integer.parseInt(((Message) st).getBody())), MessageWithBodiesFilter.INSTANCE);
        c.connect().login();
        return c;
    }

    private static EntityBareJid jid(String user) {
        try {
            return JidCreate.entityBareFrom(user + "@localhost");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
