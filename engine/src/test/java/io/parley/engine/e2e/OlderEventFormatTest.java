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
        replay("fixtures/journal-0.2-type-names-v1.json", OlderEventFormatTest::checkScenario);
    }

    /**
     * journal-0.3-before-feature-split.json: written before the user entity's state was split by
     * feature and the room behaviour into parts (format version 1): every kind of user event
     * (account, presence, offline, blocking, avatar hash, last activity) and of room event.
     */
    @Test
    void aStoreFromBeforeTheFeatureSplitReplays() throws Exception {
        replay("fixtures/journal-0.3-before-feature-split.json", OlderEventFormatTest::checkFeatureScenario);
    }

    private void replay(String resource) throws Exception {
        replay(resource, OlderEventFormatTest::checkScenario);
    }

    interface Check {
        void check(TestNode node) throws Exception;
    }

    private void replay(String resource, Check check) throws Exception {
        String fixture;
        try (var in = getClass().getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            fixture = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (TestNode node = TestNode.start(Map.of("parley.snapshot-every", 3))) {
            node.stop();
            JournalFixture.load(fixture, node.dataDir());
            node.startAgain();
            check.check(node);
        }
    }

    /** The photo of alice's vCard in the feature scenario, and its XEP-0153 hash. */
    static final byte[] PHOTO = "not really a png, but bytes".getBytes(StandardCharsets.UTF_8);

    static String photoHash() throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(PHOTO));
    }

    static final String ROOM = "club@conference.localhost";

    /**
     * The scenario of journal-0.3: accounts, a roster, a vCard with a photo, a block list, a
     * status left at logout, offline messages, and a persistent room with a configuration, a
     * member, a subject and history; snapshots every 3 events, so each entity has a snapshot and
     * events after it.
     */
    static void writeFeatureScenario(TestNode node) throws Exception {
        for (String u : List.of("alice", "bob", "carol", "dave")) {
            Smack.register(node, u, u + "-pw");
        }
        XMPPTCPConnection a = Smack.login(node, "alice", "alice-pw", "r");
        XMPPTCPConnection b = Smack.befriend(node, a, "bob", "bob-pw", "r", "Bob", "Friends");
        VCard v = new VCard();
        v.setNickName("Ali");
        v.setAvatar(PHOTO, "image/png");
        VCardManager.getInstanceFor(a).saveVCard(v);
        org.jivesoftware.smackx.blocking.BlockingCommandManager.getInstanceFor(a).blockContacts(List.of(jid("dave")));
        org.jivesoftware.smackx.blocking.BlockingCommandManager.getInstanceFor(a).blockContacts(List.of(jid("carol")));
        org.jivesoftware.smackx.blocking.BlockingCommandManager.getInstanceFor(a).unblockContacts(List.of(jid("carol")));

        org.jivesoftware.smackx.muc.MultiUserChat club = org.jivesoftware.smackx.muc.MultiUserChatManager.getInstanceFor(a)
                .getMultiUserChat(JidCreate.entityBareFrom(ROOM));
        club.create(org.jxmpp.jid.parts.Resourcepart.from("ali"));
        org.jivesoftware.smackx.xdata.form.FillableForm form = club.getConfigurationForm().getFillableForm();
        form.setAnswer("muc#roomconfig_roomname", "Club");
        form.setAnswer("muc#roomconfig_persistentroom", true);
        club.sendConfigurationForm(form);
        club.grantMembership(jid("bob"));
        club.changeSubject("Welcome");
        io.parley.engine.testkit.Awaits.until("the subject is set", () -> "Welcome".equals(club.getSubject()));
        java.util.concurrent.BlockingQueue<org.jivesoftware.smack.packet.Message> reflected =
                new java.util.concurrent.LinkedBlockingQueue<>();
        club.addMessageListener(m -> {
            if (m.getBody() != null) {
                reflected.add(m);
            }
        });
        club.sendMessage("hello club");
        assertThat(reflected.poll(10, java.util.concurrent.TimeUnit.SECONDS)).as("the room passed the message on").isNotNull();

        Roster ar = Roster.getInstanceFor(a);
        b.disconnect(org.jivesoftware.smack.packet.PresenceBuilder.buildPresence().ofType(
                org.jivesoftware.smack.packet.Presence.Type.unavailable).setStatus("gone fishing").build());
        io.parley.engine.testkit.Awaits.until("bob offline", () -> !ar.getPresence(jid("bob")).isAvailable());
        for (String body : List.of("one", "two")) {
            a.sendStanza(a.getStanzaFactory().buildMessageStanza().to(jid("bob")).ofType(Message.Type.chat).setBody(body).build());
        }
        PingManager.getInstanceFor(a).pingMyServer();
        // the room writes its history in batches; stopping the node writes what is left (Tick.STOP)
        club.leave();
        a.disconnect();
    }

    /** What {@link #writeFeatureScenario} left behind, as clients see it. */
    static void checkFeatureScenario(TestNode node) throws Exception {
        XMPPTCPConnection a = Smack.login(node, "alice", "alice-pw", "r");
        try {
            // last activity: bob's logout status, seen by a contact while bob is away
            org.jivesoftware.smackx.iqlast.packet.LastActivity last =
                    org.jivesoftware.smackx.iqlast.LastActivityManager.getInstanceFor(a).getLastActivity(jid("bob"));
            assertThat(last.getStatusMessage()).isEqualTo("gone fishing");
            assertThat(org.jivesoftware.smackx.blocking.BlockingCommandManager.getInstanceFor(a).getBlockList())
                    .extracting(Object::toString).containsExactly("dave@localhost");
            Roster.getInstanceFor(a).reloadAndWait();
            assertThat(Roster.getInstanceFor(a).getEntry(jid("bob")).getType()).isEqualTo(RosterPacket.ItemType.both);

            // bob: offline messages, then alice's presence carries the avatar hash from her user entity
            XMPPTCPConnection bob = new XMPPTCPConnection(Smack.config(node, "bob", "bob-pw", "r").setSendPresence(false).build());
            bob.connect().login();
            try {
                assertThat(Smack.offlineMessages(bob)).extracting(Message::getBody).containsExactly("one", "two");
                java.util.concurrent.BlockingQueue<org.jivesoftware.smack.packet.Presence> seen =
                        new java.util.concurrent.LinkedBlockingQueue<>();
                bob.addAsyncStanzaListener(p -> seen.add((org.jivesoftware.smack.packet.Presence) p),
                        p -> p instanceof org.jivesoftware.smack.packet.Presence pr && pr.getFrom() != null
                                && pr.getFrom().asBareJid().toString().equals("alice@localhost"));
                bob.sendStanza(bob.getStanzaFactory().buildPresenceStanza().build());
                org.jivesoftware.smack.packet.Presence alice = seen.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(alice).as("alice's presence reaches bob").isNotNull();
                org.jivesoftware.smack.packet.ExtensionElement update = alice.getExtensionElement("x", "vcard-temp:x:update");
                assertThat(update).as("the avatar hash in alice's presence").isNotNull();
                assertThat(update.toXML().toString()).contains(photoHash());
            } finally {
                bob.disconnect();
            }

            // the room: its name, subject, history, the owner and the member
            org.jivesoftware.smackx.muc.MultiUserChatManager mucs = org.jivesoftware.smackx.muc.MultiUserChatManager.getInstanceFor(a);
            assertThat(mucs.getRoomInfo(JidCreate.entityBareFrom(ROOM)).getName()).isEqualTo("Club");
            org.jivesoftware.smackx.muc.MultiUserChat club = mucs.getMultiUserChat(JidCreate.entityBareFrom(ROOM));
            java.util.concurrent.BlockingQueue<org.jivesoftware.smack.packet.Message> history =
                    new java.util.concurrent.LinkedBlockingQueue<>();
            club.addMessageListener(m -> {
                if (m.getBody() != null) {
                    history.add(m);
                }
            });
            club.join(org.jxmpp.jid.parts.Resourcepart.from("ali"));
            org.jivesoftware.smack.packet.Message h = history.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(h).as("the room's history").isNotNull();
            assertThat(h.getBody()).isEqualTo("hello club");
            io.parley.engine.testkit.Awaits.until("the subject", () -> "Welcome".equals(club.getSubject()));
            assertThat(club.getOwners()).extracting(o -> o.getJid().toString()).containsExactly("alice@localhost");
            assertThat(club.getMembers()).extracting(o -> o.getJid().toString()).containsExactly("bob@localhost");
            club.leave();
        } finally {
            a.disconnect();
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

    /**
     * Writes a fixture with this build: mvn -pl engine test -Dtest=OlderEventFormatTest -Dparley.writeFixture=FILE
     * (add -Dparley.fixtureScenario=features for the scenario of journal-0.3).
     */
    @Test
    void writeFixture() throws Exception {
        String out = System.getProperty("parley.writeFixture");
        Assumptions.assumeTrue(out != null, "writes a fixture only when asked");
        try (TestNode node = TestNode.start(Map.of("parley.snapshot-every", 3))) {
            if ("features".equals(System.getProperty("parley.fixtureScenario"))) {
                writeFeatureScenario(node);
                node.stop();
                JournalFixture.dump(node.dataDir(), Path.of(out));
                node.startAgain();
                checkFeatureScenario(node);
                return;
            }
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
