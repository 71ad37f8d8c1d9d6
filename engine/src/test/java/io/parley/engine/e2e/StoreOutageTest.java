package io.parley.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.Awaits;
import io.parley.engine.testkit.TestNode;
import io.parley.persistence.local.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.StanzaCollector;
import org.jivesoftware.smack.filter.MessageWithBodiesFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.roster.RosterEntry;
import org.jivesoftware.smack.roster.SubscribeListener;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.iqlast.LastActivityManager;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * The store goes away under load and comes back: a real PostgreSQL server is stopped while a
 * client keeps sending messages to an offline user. Messages the store could not keep come back
 * to the sender as resource-constraint errors, the rest wait and are stored once the server is
 * back; online users keep chatting meanwhile; and in the end every message is either stored
 * (once, in order) or was answered with an error: none vanished.
 */
class StoreOutageTest {

    @Test
    void messagesAreStoredOrRefusedNeverDroppedWhileTheStoreIsDown() throws Exception {
        Path pgDir = Files.createTempDirectory(Path.of("/tmp"), "parley-pg-outage");
        LocalPostgres pg = LocalPostgres.in(pgDir).start();
        try (TestNode node = TestNode.start(Map.of("parley.store", "postgres", "parley.postgres.url", pg.url(),
                "parley.postgres.connect-timeout", "2s"))) {
            for (String u : List.of("sender", "rcpt", "ann", "ben")) {
                Smack.register(node, u, "pw-" + u);
            }
            XMPPTCPConnection sender = Smack.login(node, "sender", "pw-sender", "r");
            EntityBareJid rcpt = JidCreate.entityBareFrom("rcpt@localhost");
            subscribe(node, sender, rcpt);
            Set<String> refused = ConcurrentHashMap.newKeySet();
            sender.addAsyncStanzaListener(st -> {
                StanzaError e = ((Message) st).getError();
                if (e != null && e.getCondition() == StanzaError.Condition.resource_constraint) {
                    refused.add(st.getStanzaId());
                }
            }, st -> st instanceof Message m && m.getType() == Message.Type.error);
            XMPPTCPConnection ann = Smack.login(node, "ann", "pw-ann", "r");
            XMPPTCPConnection ben = Smack.login(node, "ben", "pw-ben", "r");
            LastActivityManager last = LastActivityManager.getInstanceFor(sender);

            int n = 0;
            for (; n < 20; n++) {
                send(sender, rcpt, n);
            }
            last.getLastActivity(rcpt); // stored so far

            pg.stop();
            for (; n < 60; n++) {
                send(sender, rcpt, n);
            }
            Awaits.until("a message the store could not keep is refused", () -> !refused.isEmpty(), 60);
            try (StanzaCollector inbox = ben.createStanzaCollector(MessageWithBodiesFilter.INSTANCE)) {
                ann.sendStanza(ann.getStanzaFactory().buildMessageStanza().to(JidCreate.entityBareFrom("ben@localhost"))
                        .ofType(Message.Type.chat).setBody("still here").build());
                Message m = inbox.nextResult(10_000);
                assertThat(m).as("online users chat while the store is down").isNotNull();
                assertThat(m.getBody()).isEqualTo("still here");
            }

            pg.start();
            for (; n < 80; n++) {
                send(sender, rcpt, n);
            }
            Awaits.until("the store answers again", () -> {
                try {
                    last.getLastActivity(rcpt);
                    return true;
                } catch (Exception e) {
                    return false;
                }
            }, 90);
            sender.disconnect();
            ann.disconnect();
            ben.disconnect();

            XMPPTCPConnection r = new XMPPTCPConnection(Smack.config(node, "rcpt", "pw-rcpt", "r").setSendPresence(false).build());
            r.connect().login();
            List<String> stored = new ArrayList<>();
            try {
                for (Message m : Smack.offlineMessages(r)) {
                    stored.add(m.getBody());
                }
            } finally {
                r.disconnect();
            }
            System.out.printf("stored %d, refused %d of %d%n", stored.size(), refused.size(), n);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!refused.contains("m" + i)) {
                    expected.add("m" + i);
                }
            }
            assertThat(stored).as("every message not refused is stored, once, in order").isEqualTo(expected);
            assertThat(stored).contains("m0", "m19", "m79");
        } finally {
            pg.stop();
            new ProcessBuilder("rm", "-rf", pgDir.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void send(XMPPTCPConnection c, EntityBareJid to, int i) throws Exception {
        c.sendStanza(org.jivesoftware.smack.packet.StanzaBuilder.buildMessage("m" + i).to(to).ofType(Message.Type.chat)
                .setBody("m" + i).build());
    }

    /** The sender subscribes to the recipient (who logs in once to approve), so it may ask for the recipient's last activity. */
    private static void subscribe(TestNode node, XMPPTCPConnection sender, EntityBareJid rcpt) throws Exception {
        XMPPTCPConnection rc = new XMPPTCPConnection(Smack.config(node, "rcpt", "pw-rcpt", "setup").build());
        Roster.getInstanceFor(rc).addSubscribeListener((from, p) -> SubscribeListener.SubscribeAnswer.Approve);
        rc.connect().login();
        try {
            Roster roster = Roster.getInstanceFor(sender);
            roster.createItemAndRequestSubscription(rcpt, null, null);
            Awaits.until("subscribed", () -> {
                RosterEntry e = roster.getEntry(rcpt);
                return e != null && e.canSeeHisPresence();
            });
        } finally {
            rc.disconnect();
        }
    }
}
