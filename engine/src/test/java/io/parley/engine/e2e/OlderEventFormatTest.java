package io.parley.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.roster.RosterEntry;
import org.jivesoftware.smack.roster.SubscribeListener;
import org.jivesoftware.smack.roster.packet.RosterPacket;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.iqprivate.PrivateDataManager;
import org.jivesoftware.smackx.iqprivate.packet.DefaultPrivateData;
import org.jivesoftware.smackx.ping.PingManager;
import org.jivesoftware.smackx.vcardtemp.VCardManager;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Stores written by earlier releases stay readable: journal and snapshot rows kept as fixtures
 * (resources fixtures/journal-*.json, each written by the release it names with
 * -Dparley.writeFixture) are loaded into a fresh store and replayed by this build, which must see
 * the same accounts, roster, vCard, private storage and offline messages.
 */
class OlderEventFormatTest {

    /** journal-0.1-class-manifests.json: before type ids, events named by their Java classes (jackson-cbor). */
    @Test
    void aStoreFromBeforeTypeIdsReplays() throws Exception {
        replay("fixtures/journal-0.1-class-manifests.json");
    }

    /** journal-0.2-type-names-v1.json: type names in the payload, format version 1 in the manifest (parley-journal). */
    @Test
    void aStoreInFormatVersion1Replays() throws Exception {
        replay("fixtures/journal-0.2-type-names-v1.json");
    }

    private void replay(String resource) throws Exception {
        String fixture;
        try (var in = getClass().getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            fixture = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (TestNode node = TestNode.start(Map.of("parley.snapshot-every", 3))) {
            node.stop();
            JournalFixture.load(fixture, node.dataDir());
            node.startAgain();
            checkScenario(node);
        }
    }

    /** What {@link #writeScenario} left behind. */
    static void checkScenario(TestNode node) throws Exception {
        XMPPTCPConnection bob = new XMPPTCPConnection(Smack.config(node, "bob", "bob-pw", "r").setSendPresence(false).build());
        bob.connect().login();
        try {
            List<Message> offline = Smack.offlineMessages(bob);
            assertThat(offline).extracting(Message::getBody).containsExactly("one", "two", "three");
        } finally {
            bob.disconnect();
        }
        XMPPTCPConnection alice = Smack.login(node, "alice", "alice-pw", "r");
        try {
            Roster roster = Roster.getInstanceFor(alice);
            roster.reloadAndWait();
            RosterEntry b = roster.getEntry(jid("bob"));
            assertThat(b.getType()).isEqualTo(RosterPacket.ItemType.both);
            assertThat(b.getName()).isEqualTo("Bob");
            assertThat(b.getGroups()).extracting(g -> g.getName()).containsExactly("Friends");
            assertThat(roster.getEntry(jid("carol")).getName()).isEqualTo("Carol 4");
            assertThat(VCardManager.getInstanceFor(alice).loadVCard().getNickName()).isEqualTo("Ali");
            DefaultPrivateData prefs = (DefaultPrivateData) PrivateDataManager.getInstanceFor(alice).getPrivateData("prefs", "test:prefs");
            assertThat(prefs.getValue("color")).isEqualTo("green");
        } finally {
            alice.disconnect();
        }
    }

    /** The data the fixtures hold: enough events per entity that each has a snapshot and events after it. */
    static void writeScenario(TestNode node) throws Exception {
        Smack.register(node, "alice", "alice-pw");
        Smack.register(node, "bob", "bob-pw");
        Smack.register(node, "carol", "carol-pw");
        XMPPTCPConnection a = Smack.login(node, "alice", "alice-pw", "r");
        XMPPTCPConnection b = Smack.befriend(node, a, "bob", "bob-pw", "r", "Bob", "Friends");
        Roster ar = Roster.getInstanceFor(a);
        for (int i = 1; i <= 4; i++) {
            ar.createItem(jid("carol"), "Carol " + i, null);
        }
        for (String nick : List.of("A", "Al", "Ali")) {
            VCard v = new VCard();
            v.setNickName(nick);
            VCardManager.getInstanceFor(a).saveVCard(v);
        }
        for (String color : List.of("red", "blue", "green")) {
            DefaultPrivateData prefs = new DefaultPrivateData("prefs", "test:prefs");
            prefs.setValue("color", color);
            PrivateDataManager.getInstanceFor(a).setPrivateData(prefs);
        }
        b.disconnect();
        io.parley.engine.testkit.Awaits.until("bob offline", () -> !ar.getPresence(jid("bob")).isAvailable());
        for (String body : List.of("one", "two", "three")) {
            a.sendStanza(a.getStanzaFactory().buildMessageStanza().to(jid("bob")).ofType(Message.Type.chat).setBody(body).build());
        }
        PingManager.getInstanceFor(a).pingMyServer();
        a.disconnect();
    }

    /** Writes a fixture with this build: mvn -pl engine test -Dtest=OlderEventFormatTest -Dparley.writeFixture=FILE */
    @Test
    void writeFixture() throws Exception {
        String out = System.getProperty("parley.writeFixture");
        Assumptions.assumeTrue(out != null, "writes a fixture only when asked");
        try (TestNode node = TestNode.start(Map.of("parley.snapshot-every", 3))) {
            writeScenario(node);
            node.stop();
            JournalFixture.dump(node.dataDir(), Path.of(out));
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
