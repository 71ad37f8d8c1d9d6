package io.parley.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.Awaits;
import io.parley.engine.testkit.StoreServers;
import io.parley.engine.testkit.TestNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.roster.RosterEntry;
import org.jivesoftware.smack.roster.SubscribeListener;
import org.jivesoftware.smack.roster.packet.RosterPacket;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.iqprivate.PrivateDataManager;
import org.jivesoftware.smackx.iqprivate.packet.DefaultPrivateData;
import org.jivesoftware.smackx.ping.PingManager;
import org.jivesoftware.smackx.vcardtemp.VCardManager;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * The single-node scenario (accounts, rosters and subscriptions, offline messages, vCards,
 * private storage) on each store, through a full restart of the node: the store is a real H2
 * file, PostgreSQL server or Cassandra node, and the client is Smack.
 */
@ExtendWith(StoreServers.class)
class StoreBackendsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres", "cassandra"})
    void everythingAUserStoredSurvivesAFullRestart(String store) throws Exception {
        Map<String, Object> overrides = StoreServers.freshStore(store);
        // snapshots after every few events, so recovery reads a snapshot and the events after it
        overrides.put("parley.snapshot-every", 3);
        try (TestNode node = TestNode.start(overrides)) {
            Smack.register(node, "alice", "alice-pw");
            Smack.register(node, "bob", "bob-pw");
            XMPPTCPConnection a = Smack.login(node, "alice", "alice-pw", "desk");
            XMPPTCPConnection b = Smack.befriend(node, a, "bob", "bob-pw", "phone", "Bob", "Friends");
            Roster ar = Roster.getInstanceFor(a);

            VCard card = new VCard();
            card.setNickName("Ali");
            card.setEmailHome("alice@example.org");
            VCardManager.getInstanceFor(a).saveVCard(card);
            DefaultPrivateData prefs = new DefaultPrivateData("prefs", "test:prefs");
            prefs.setValue("color", "blue");
            PrivateDataManager.getInstanceFor(a).setPrivateData(prefs);

            b.disconnect();
            Awaits.until("bob is offline for alice", () -> !ar.getPresence(jid("bob")).isAvailable());
            for (int i = 1; i <= 5; i++) {
                a.sendStanza(a.getStanzaFactory().buildMessageStanza().to(jid("bob")).ofType(Message.Type.chat)
                        .setBody("offline " + i).build());
            }
            PingManager.getInstanceFor(a).pingMyServer();
            a.disconnect();

            node.restart();

            XMPPTCPConnection b2 = new XMPPTCPConnection(Smack.config(node, "bob", "bob-pw", "phone").build());
            List<String> bodies = new ArrayList<>();
            for (Message m : Smack.loginCollecting(b2, 5, 20_000)) {
                assertThat(DelayInformation.from(m)).isNotNull();
                bodies.add(m.getBody());
            }
            assertThat(bodies).containsExactly("offline 1", "offline 2", "offline 3", "offline 4", "offline 5");
            Roster br = Roster.getInstanceFor(b2);
            br.reloadAndWait();
            assertThat(br.getEntry(jid("alice")).getType()).isEqualTo(RosterPacket.ItemType.both);
            VCard seen = VCardManager.getInstanceFor(b2).loadVCard(jid("alice"));
            assertThat(seen.getNickName()).isEqualTo("Ali");
            assertThat(seen.getEmailHome()).isEqualTo("alice@example.org");
            b2.disconnect();

            XMPPTCPConnection a2 = Smack.login(node, "alice", "alice-pw", "desk");
            try {
                Roster ar2 = Roster.getInstanceFor(a2);
                ar2.reloadAndWait();
                RosterEntry bob = ar2.getEntry(jid("bob"));
                assertThat(bob.getName()).isEqualTo("Bob");
                assertThat(bob.getGroups()).extracting(g -> g.getName()).containsExactly("Friends");
                DefaultPrivateData back = (DefaultPrivateData) PrivateDataManager.getInstanceFor(a2).getPrivateData("prefs", "test:prefs");
                assertThat(back.getValue("color")).isEqualTo("blue");
            } finally {
                a2.disconnect();
            }
        }
    }

    /**
     * With parley.store-init off a node refuses an empty store, naming what is missing;
     * `parleyctl db init` (its own JVM, as an operator runs it) creates the schema, twice
     * without harm, and the node then starts.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"postgres", "cassandra"})
    void parleyctlDbInitCreatesTheSchemaANodeWithoutStoreInitNeeds(String store) throws Exception {
        Map<String, Object> overrides = StoreServers.freshStore(store);
        overrides.put("parley.store-init", false);
        Path dir = java.nio.file.Files.createTempDirectory("parley-dbinit");
        StringBuilder hocon = new StringBuilder("parley.data-dir = \"" + dir.resolve("data") + "\"\n");
        overrides.forEach((k, v) -> hocon.append(k).append(" = ").append(v instanceof List<?> l
                ? "[\"" + l.get(0) + "\"]" : "\"" + v + "\"").append('\n'));
        Path conf = io.parley.engine.testkit.JavaProcess.writeConfig(dir, hocon.toString());

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestNode.start(overrides).close())
                .rootCause().hasMessageContaining("store tables missing").hasMessageContaining("parleyctl db init");

        for (int i = 0; i < 2; i++) {
            io.parley.engine.testkit.JavaProcess.Result r = io.parley.engine.testkit.JavaProcess.run(dir,
                    "io.parley.engine.ParleyCtl", List.of("--config", conf.toString(), "db", "init"), null);
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains("store schema ready (" + store + ")");
        }
        try (TestNode node = TestNode.start(overrides)) {
            Smack.register(node, "after-init", "pw");
            Smack.login(node, "after-init", "pw", "r").disconnect();
        }
    }

    private static EntityBareJid jid(String user) {
        try {
            return JidCreate.entityBareFrom(user + "@localhost");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
