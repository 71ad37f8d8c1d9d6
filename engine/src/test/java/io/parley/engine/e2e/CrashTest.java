package io.parley.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.JavaProcess;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.roster.RosterEntry;
import org.jivesoftware.smack.roster.SubscribeListener;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.iqlast.LastActivityManager;
import org.jivesoftware.smackx.iqregister.AccountManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Localpart;

/**
 * Nothing the server accepted is lost when its process is killed. A node in its own JVM takes a
 * steady stream of messages to offline users, registrations and roster additions; it is killed
 * with SIGKILL mid-stream and started again on the same store. Without stream management a
 * client learns that its earlier stanzas were stored by a round trip through the recipient's
 * account (a last-activity query, answered by the recipient's entity after the writes queued
 * before it); registrations and roster sets are accepted when their result arrives. After the
 * restart every accepted message is there exactly once and in order per sender (what was sent
 * but not yet confirmed may be there too, but only as a gap-free continuation), every accepted
 * account logs in and every accepted roster item is in its roster.
 */
class CrashTest {

    private static final int SENDERS = 3;
    private static final int RECIPIENTS = 2;
    private static final int CONFIRMED_BEFORE_KILL = 150;

    @TempDir
    Path dir;

    private int port;
    private Path data;

    @Test
    void aKilledServerLosesNothingItAccepted() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        data = dir.resolve("data");
        Path conf = JavaProcess.writeConfig(dir, "parley { data-dir = \"" + data + "\", c2s.port = " + port
                + ", c2s.direct-tls-port = -1, cluster.port = 0, admin.port = -1,"
                + " registration.per-address-per-hour = 100000, c2s.max-stanzas-per-second = 100000,"
                + " c2s.stanza-burst = 100000, offline.max-messages = 100000 }\n");
        Process server = start(conf);
        Map<String, Map<String, Integer>> confirmed = new ConcurrentHashMap<>();
        Set<String> registered = ConcurrentHashMap.newKeySet();
        Set<String> rosterAdded = ConcurrentHashMap.newKeySet();
        try {
            for (int r = 0; r < RECIPIENTS; r++) {
                register("rcpt" + r);
            }
            List<XMPPTCPConnection> senders = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                register("sender" + s);
                senders.add(subscribedSender("sender" + s));
            }

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger confirmations = new AtomicInteger();
            CountDownLatch enough = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                String sender = "sender" + s;
                XMPPTCPConnection c = senders.get(s);
                Map<String, Integer> mine = new ConcurrentHashMap<>();
                confirmed.put(sender, mine);
                threads.add(started(() -> sendUntilStopped(c, sender, mine, stop, confirmations, enough)));
            }
            threads.add(started(() -> registerUntilStopped(registered, stop)));
            threads.add(started(() -> addContactsUntilStopped(senders.get(0), rosterAdded, stop)));

            assertThat(enough.await(120, TimeUnit.SECONDS)).as("messages confirmed before the kill").isTrue();
            server.destroyForcibly(); // SIGKILL
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            senders.forEach(XMPPTCPConnection::instantShutdown);
        } finally {
            server.destroyForcibly();
        }

        Process again = start(conf);
        try {
            for (int r = 0; r < RECIPIENTS; r++) {
                String rcpt = "rcpt" + r;
                Map<String, List<Integer>> bySender = offlineMessages(rcpt);
                for (int s = 0; s < SENDERS; s++) {
                    String sender = "sender" + s;
                    List<Integer> got = bySender.getOrDefault(sender, List.of());
                    int accepted = confirmed.get(sender).getOrDefault(rcpt, 0);
                    List<Integer> prefix = new ArrayList<>();
                    for (int i = 1; i <= got.size(); i++) {
                        prefix.add(i);
                    }
                    System.out.printf("%s -> %s: %d accepted, %d stored%n", sender, rcpt, accepted, got.size());
                    assertThat(got).as("%s -> %s: exactly once, in order, no gaps", sender, rcpt).isEqualTo(prefix);
                    assertThat(got.size()).as("%s -> %s: every accepted message is there", sender, rcpt).isGreaterThanOrEqualTo(accepted);
                }
            }
            System.out.printf("%d registrations and %d roster additions accepted%n", registered.size(), rosterAdded.size());
            assertThat(registered).isNotEmpty();
            for (String user : registered) {
                login(user).disconnect();
            }
            assertThat(rosterAdded).isNotEmpty();
            XMPPTCPConnection c = login("sender0");
            try {
                Roster roster = Roster.getInstanceFor(c);
                roster.reloadAndWait();
                for (String contact : rosterAdded) {
                    RosterEntry e = roster.getEntry(JidCreate.entityBareFrom(contact + "@localhost"));
                    assertThat(e).as("accepted roster item %s", contact).isNotNull();
                    assertThat(e.getName()).isEqualTo("name of " + contact);
                }
            } finally {
                c.disconnect();
            }
        } finally {
            again.destroy();
            again.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static Thread started(Runnable r) {
        Thread t = new Thread(r);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private Process start(Path conf) throws Exception {
        return JavaProcess.startNode(dir, conf);
    }

    private XMPPTCPConnection login(String user) throws Exception {
        return Smack.login(port, data, user, "pw-" + user, "r");
    }

    private void register(String user) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(Smack.config(port, data, null, null, null).build());
        try {
            c.connect();
            AccountManager.getInstance(c).createAccount(Localpart.from(user), "pw-" + user, new HashMap<>());
        } finally {
            c.disconnect();
        }
    }

    /** Logs the sender in subscribed to every recipient (each recipient logs in once to approve). */
    private XMPPTCPConnection subscribedSender(String sender) throws Exception {
        XMPPTCPConnection c = login(sender);
        Roster roster = Roster.getInstanceFor(c);
        for (int r = 0; r < RECIPIENTS; r++) {
            XMPPTCPConnection rc = new XMPPTCPConnection(Smack.config(port, data, "rcpt" + r, "pw-rcpt" + r, "setup").build());
            Roster.getInstanceFor(rc).addSubscribeListener((from, p) -> SubscribeListener.SubscribeAnswer.Approve);
            rc.connect().login();
            try {
                EntityBareJid rcpt = JidCreate.entityBareFrom("rcpt" + r + "@localhost");
                roster.createItemAndRequestSubscription(rcpt, null, null);
                io.parley.engine.testkit.Awaits.until(sender + " subscribed to " + rcpt, () -> {
                    RosterEntry e = roster.getEntry(rcpt);
                    return e != null && e.canSeeHisPresence();
                });
            } finally {
                rc.disconnect();
            }
        }
        return c;
    }

    private static void sendUntilStopped(XMPPTCPConnection c, String sender, Map<String, Integer> confirmed, AtomicBoolean stop,
                                         AtomicInteger confirmations, CountDownLatch enough) {
        int[] sent = new int[RECIPIENTS];
        LastActivityManager last = LastActivityManager.getInstanceFor(c);
        try {
            while (!stop.get()) {
                for (int r = 0; r < RECIPIENTS; r++) {
                    for (int k = 0; k < 5; k++) {
                        sent[r]++;
                        c.sendStanza(c.getStanzaFactory().buildMessageStanza().to(JidCreate.entityBareFrom("rcpt" + r + "@localhost"))
                                .ofType(Message.Type.chat).setBody(sender + ":" + sent[r]).build());
                    }
                }
                for (int r = 0; r < RECIPIENTS; r++) {
                    int upTo = sent[r];
                    last.getLastActivity(JidCreate.entityBareFrom("rcpt" + r + "@localhost"));
                    confirmed.put("rcpt" + r, upTo);
                    if (confirmations.addAndGet(5) >= CONFIRMED_BEFORE_KILL) {
                        enough.countDown();
                    }
                }
            }
        } catch (Exception e) {
            // the server went away
        }
    }

    private void registerUntilStopped(Set<String> registered, AtomicBoolean stop) {
        for (int i = 0; !stop.get(); i++) {
            try {
                register("reg" + i);
                registered.add("reg" + i);
            } catch (Exception e) {
                return;
            }
        }
    }

    private static void addContactsUntilStopped(XMPPTCPConnection c, Set<String> added, AtomicBoolean stop) {
        Roster roster = Roster.getInstanceFor(c);
        for (int i = 0; !stop.get(); i++) {
            try {
                roster.createItem(JidCreate.entityBareFrom("contact" + i + "@localhost"), "name of contact" + i, null);
                added.add("contact" + i);
            } catch (Exception e) {
                return;
            }
        }
    }

    /** The recipient's stored messages through XEP-0013, by sender, as the numbers they carry. */
    private Map<String, List<Integer>> offlineMessages(String rcpt) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(Smack.config(port, data, rcpt, "pw-" + rcpt, "after").setSendPresence(false).build());
        c.connect().login();
        try {
            Map<String, List<Integer>> bySender = new HashMap<>();
            for (Message m : Smack.offlineMessages(c)) {
                String[] parts = m.getBody().split(":");
                bySender.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
            }
            return bySender;
        } finally {
            c.disconnect();
        }
    }
}
