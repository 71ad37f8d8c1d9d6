package io.parley.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.Awaits;
import io.parley.engine.testkit.StoreServers;
import io.parley.engine.testkit.TestNode;
import io.parley.engine.testkit.Users;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jivesoftware.smack.StanzaCollector;
import org.jivesoftware.smack.filter.MessageWithBodiesFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * A node of three crashes (its actor system ends without leaving; the split-brain resolver downs
 * it after parley.cluster.down-unreachable-after). Its clients' contacts see them go unavailable,
 * and a client on a surviving node whose user entity died with the node keeps its session: the
 * entity, remembered by sharding, restarts on a survivor, holds deliveries until the session
 * registers again, and messages reach it live. (An actor system ending in this JVM still lets
 * its connections unbind as they close; the path where nobody is left to say so, a restarted
 * entity announcing the resources that did not come back, is covered in UserEntityTest.)
 */
@ExtendWith(StoreServers.class)
class NodeLossTest {

    static final List<TestNode> nodes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        nodes.addAll(TestNode.cluster(3, "postgres",
                Map.of("parley.cluster.down-unreachable-after", "3s", "parley.cluster.reattach-grace", "3s"),
                i -> i == 2 ? Map.of("akka.coordinated-shutdown.run-by-actor-system-terminate", "off") : Map.of()));
    }

    @AfterAll
    static void stop() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
    }

    private record Client(String user, XMPPTCPConnection connection) {
    }

    /** A user connected to node {@code at}, befriended by the watcher, whose user entity's node passes the test. */
    private static Client client(XMPPTCPConnection watcher, int at, Predicate<Integer> entityOn) throws Exception {
        for (int attempt = 0; attempt < 40; attempt++) {
            String user = Users.fresh("loss");
            Smack.register(nodes.get(at), user, "pw-" + user);
            XMPPTCPConnection c = Smack.befriend(nodes.get(at), watcher, user, "pw-" + user, "n" + at, user, "Watched");
            for (int n = 0; n < 3; n++) {
                if (ClusterTest.hostsUser(nodes.get(n), user + "@localhost") && entityOn.test(n)) {
                    return new Client(user, c);
                }
            }
            c.disconnect();
        }
        throw new AssertionError("no user found with its entity where the test needs it");
    }

    @Test
    void contactsSeeTheDeadNodesClientsGoAndSurvivingSessionsCarryOn() throws Exception {
        String w = Users.fresh("watch");
        Smack.register(nodes.get(0), w, "pw-" + w);
        XMPPTCPConnection watcher = Smack.login(nodes.get(0), w, "pw-" + w, "n0");
        Roster roster = Roster.getInstanceFor(watcher);
        Client diesWithEntity = client(watcher, 2, n -> n == 2);
        Client diesEntityLives = client(watcher, 2, n -> n != 2);
        Client livesEntityDies = client(watcher, 1, n -> n == 2);
        for (Client c : List.of(diesWithEntity, diesEntityLives, livesEntityDies)) {
            Awaits.until(c.user() + " available to the watcher", () -> roster.getPresence(jid(c.user())).isAvailable());
        }

        nodes.get(2).crash();
        // until the split-brain resolver downs the dead node, what is sent to entities that lived on it
        // is lost (as with any crash: unconfirmed); the survivors carry on once it is removed
        var survivor = akka.cluster.typed.Cluster.get(nodes.get(0).node().services().system());
        Awaits.until("the dead node is removed", () -> java.util.stream.StreamSupport.stream(survivor.state().getMembers().spliterator(), false).count() == 2, 60);

        Awaits.until("the dead node's client whose entity lived elsewhere is unavailable",
                () -> !roster.getPresence(jid(diesEntityLives.user())).isAvailable(), 60);
        Awaits.until("the dead node's client whose entity died too is unavailable",
                () -> !roster.getPresence(jid(diesWithEntity.user())).isAvailable(), 60);
        assertThat(roster.getPresence(jid(livesEntityDies.user())).isAvailable()).as("the survivor never went away").isTrue();
        try (StanzaCollector inbox = livesEntityDies.connection().createStanzaCollector(MessageWithBodiesFilter.INSTANCE)) {
            watcher.sendStanza(watcher.getStanzaFactory().buildMessageStanza().to(jid(livesEntityDies.user()))
                    .ofType(Message.Type.chat).setBody("you are still here").build());
            Message m = inbox.nextResult(30_000);
            assertThat(m).as("a message reaches the surviving session live").isNotNull();
            assertThat(m.getBody()).isEqualTo("you are still here");
            assertThat(DelayInformation.from(m)).isNull();
        }
        livesEntityDies.connection().disconnect();
        watcher.disconnect();
    }

    private static EntityBareJid jid(String user) {
        try {
            return JidCreate.entityBareFrom(user + "@localhost");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
