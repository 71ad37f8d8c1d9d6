package io.parley.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.Awaits;
import io.parley.engine.testkit.StoreServers;
import io.parley.engine.testkit.TestNode;
import io.parley.engine.testkit.Users;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jivesoftware.smack.StanzaCollector;
import org.jivesoftware.smack.filter.MessageWithBodiesFilter;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.ping.PingManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Three nodes (three actor systems in this JVM, each with its own client port) joined as one
 * cluster on one PostgreSQL store; Smack clients on different nodes.
 */
@ExtendWith(StoreServers.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {

    static final List<TestNode> nodes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        nodes.addAll(TestNode.cluster(3, "postgres", Map.of(), i -> Map.of()));
    }

    @AfterAll
    static void stop() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
    }

    private static EntityBareJid jid(String user) throws Exception {
        return JidCreate.entityBareFrom(user + "@localhost");
    }

    private static String account(int node) throws Exception {
        String user = Users.fresh("cl");
        Smack.register(nodes.get(node), user, "pw-" + user);
        return user;
    }

    @Test
    @Order(1)
    void usersOnDifferentNodesChatSeePresenceGetPushesOfflineMessagesAndIqs() throws Exception {
        assertThat(akka.cluster.typed.Cluster.get(nodes.get(2).node().services().system()).state().getMembers()).hasSize(3);
        String alice = account(0);
        String bob = account(1);
        String carol = account(2);
        XMPPTCPConnection a = Smack.login(nodes.get(0), alice, "pw-" + alice, "n0");
        XMPPTCPConnection b = Smack.befriend(nodes.get(1), a, bob, "pw-" + bob, "n1", "Bob", "Friends");
        XMPPTCPConnection a2 = Smack.login(nodes.get(2), alice, "pw-" + alice, "n2");
        try {
            // presence across nodes
            Awaits.until("alice sees bob", () -> Roster.getInstanceFor(a).getPresence(uncheckedJid(bob)).isAvailable());
            Awaits.until("bob sees alice", () -> Roster.getInstanceFor(b).getPresence(uncheckedJid(alice)).isAvailable());

            // the operator's view from any node: every node's sessions, members, shards
            io.parley.engine.admin.AdminOps ops = new io.parley.engine.admin.AdminOps(nodes.get(2).node().services());
            // (each node's sessions actor reaches the others' receptionists by gossip, shortly after start)
            Awaits.until("every node's sessions listed", () -> ops.listSessions().toCompletableFuture().join()
                    .containsAll(List.of(alice + "@localhost/n0", bob + "@localhost/n1", alice + "@localhost/n2")));
            List<io.parley.engine.admin.AdminOps.Member> members = ops.clusterStatus().toCompletableFuture().get();
            assertThat(members).hasSize(3).allSatisfy(m -> {
                assertThat(m.status()).isEqualTo("Up");
                assertThat(m.reachable()).isTrue();
                assertThat(m.sessions()).isPositive();
            });
            assertThat(members.stream().mapToInt(m -> m.entities().get("user")).sum()).isGreaterThanOrEqualTo(2);

            // chat both ways
            try (StanzaCollector inbox = b.createStanzaCollector(MessageWithBodiesFilter.INSTANCE)) {
                a.sendStanza(a.getStanzaFactory().buildMessageStanza().to(jid(bob)).ofType(Message.Type.chat).setBody("hi from n0").build());
                Message m = inbox.nextResult(10_000);
                assertThat(m).isNotNull();
                assertThat(m.getBody()).isEqualTo("hi from n0");
                assertThat(m.getFrom().toString()).isEqualTo(alice + "@localhost/n0");
            }
            try (StanzaCollector inbox = a.createStanzaCollector(MessageWithBodiesFilter.INSTANCE)) {
                b.sendStanza(b.getStanzaFactory().buildMessageStanza().to(JidCreate.entityFullFrom(alice + "@localhost/n0"))
                        .ofType(Message.Type.chat).setBody("hi from n1").build());
                Message back = inbox.nextResult(10_000);
                assertThat(back).isNotNull();
                assertThat(back.getBody()).isEqualTo("hi from n1");
            }

            // a roster change on n0 is pushed to alice's other resource on n2
            Roster r2 = Roster.getInstanceFor(a2);
            r2.reloadAndWait();
            Roster.getInstanceFor(a).createItem(jid(carol), "Carol", null);
            Awaits.until("push reaches n2", () -> r2.getEntry(uncheckedJid(carol)) != null);

            // an iq to a full JID on another node, and its result back
            assertThat(PingManager.getInstanceFor(b).ping(JidCreate.entityFullFrom(alice + "@localhost/n2"))).isTrue();

            // an error comes back across nodes: an iq to a resource alice has not bound, answered by her user entity
            org.jivesoftware.smackx.ping.packet.Ping ping = new org.jivesoftware.smackx.ping.packet.Ping(
                    JidCreate.entityFullFrom(alice + "@localhost/nowhere"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.createStanzaCollectorAndSend(ping).nextResultOrThrow())
                    .isInstanceOfSatisfying(org.jivesoftware.smack.XMPPException.XMPPErrorException.class,
                            e -> assertThat(e.getStanzaError().getCondition()).isEqualTo(StanzaError.Condition.service_unavailable));

            // offline across nodes: carol never logged in; bob's message waits, carol logs in on n2
            b.sendStanza(b.getStanzaFactory().buildMessageStanza().to(jid(carol)).ofType(Message.Type.chat).setBody("for later").build());
            PingManager.getInstanceFor(b).pingMyServer();
            XMPPTCPConnection c = new XMPPTCPConnection(Smack.config(nodes.get(2), carol, "pw-" + carol, "n2").build());
            try {
                Message m = Smack.loginCollecting(c, 1, 10_000).get(0);
                assertThat(m.getBody()).isEqualTo("for later");
                assertThat(DelayInformation.from(m)).isNotNull();
            } finally {
                c.disconnect();
            }
        } finally {
            a.disconnect();
            a2.disconnect();
            b.disconnect();
        }
    }

    /**
     * A node leaves (SIGTERM-like graceful stop): the user entities it held move, and a client on
     * another node whose entity was there carries on unaware: messages reach it, its contacts
     * still see it available, its roster pushes still arrive. Runs last: it stops node 2.
     */
    @Test
    @Order(2)
    void aSessionFollowsItsUserEntityWhenTheEntitysNodeLeaves() throws Exception {
        String bob = account(1);
        XMPPTCPConnection b = Smack.login(nodes.get(1), bob, "pw-" + bob, "n1");
        String alice = null;
        XMPPTCPConnection a = null;
        for (int i = 0; i < 30 && a == null; i++) {
            String candidate = account(0);
            XMPPTCPConnection c = Smack.login(nodes.get(0), candidate, "pw-" + candidate, "n0");
            if (hostsUser(nodes.get(2), candidate + "@localhost")) {
                alice = candidate;
                a = c;
            } else {
                c.disconnect();
            }
        }
        assertThat(a).as("a user whose entity lives on node 2").isNotNull();
        String aliceName = alice;
        XMPPTCPConnection aliceConn = a;
        Smack.befriend(nodes.get(1), aliceConn, bob, "pw-" + bob, "n1b", "Bob", "Friends").disconnect();
        Roster.getInstanceFor(aliceConn).reloadAndWait();
        Awaits.until("bob sees alice", () -> Roster.getInstanceFor(b).getPresence(uncheckedJid(aliceName)).isAvailable());

        nodes.remove(2).close(); // leaves the cluster, hands its shards over
        Awaits.until("alice's entity runs elsewhere", () -> hostsUser(nodes.get(0), aliceName + "@localhost")
                || hostsUser(nodes.get(1), aliceName + "@localhost"), 30);

        try (StanzaCollector inbox = aliceConn.createStanzaCollector(MessageWithBodiesFilter.INSTANCE)) {
            b.sendStanza(b.getStanzaFactory().buildMessageStanza().to(jid(aliceName)).ofType(Message.Type.chat)
                    .setBody("still there?").build());
            Message m = inbox.nextResult(15_000);
            assertThat(m).as("a message reaches the session, not offline storage").isNotNull();
            assertThat(m.getBody()).isEqualTo("still there?");
            assertThat(DelayInformation.from(m)).isNull();
        }
        assertThat(Roster.getInstanceFor(b).getPresence(jid(aliceName)).isAvailable()).isTrue();
        String dave = account(0);
        Roster.getInstanceFor(aliceConn).createItem(jid(dave), "Dave", null);
        Awaits.until("roster push after the move", () -> Roster.getInstanceFor(aliceConn).getEntry(uncheckedJid(dave)) != null);
        aliceConn.disconnect();
        Awaits.until("bob sees alice leave", () -> !Roster.getInstanceFor(b).getPresence(uncheckedJid(aliceName)).isAvailable());
        b.disconnect();
    }

    /** Whether this node's user shard region runs the entity of this bare JID now. */
    static boolean hostsUser(TestNode node, String bareJid) {
        return hosts(node, io.parley.engine.session.UserEntity.TYPE_KEY, bareJid);
    }

    static boolean hosts(TestNode node, akka.cluster.sharding.typed.javadsl.EntityTypeKey<?> type, String entityId) {
        var system = node.node().services().system();
        try {
            akka.cluster.sharding.ShardRegion.CurrentShardRegionState state = akka.actor.typed.javadsl.AskPattern.<akka.cluster.sharding.typed.ClusterShardingQuery, akka.cluster.sharding.ShardRegion.CurrentShardRegionState>ask(
                    akka.cluster.sharding.typed.javadsl.ClusterSharding.get(system).shardState(),
                    r -> new akka.cluster.sharding.typed.GetShardRegionState(type, r),
                    java.time.Duration.ofSeconds(5), system.scheduler()).toCompletableFuture().get();
            return state.getShards().stream().anyMatch(s -> s.getEntityIds().contains(entityId));
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * A room on node 1 with two occupants on node 0 and one on node 1: messages reach all three
     * (node 0's two get them through one fan-out message). Then node 1 leaves: its occupant leaves
     * with status 332, the room starts again on node 0, node 0's occupants are back in it without
     * doing anything, and chat goes on.
     */
    @Test
    @Order(3)
    void aRoomServesOccupantsOnEveryNodeAndItsOccupantsFollowItWhenItsNodeLeaves() throws Exception {
        assertThat(nodes).as("the earlier test left two nodes").hasSize(2);
        String alice = account(0);
        String carol = account(0);
        String bob = account(1);
        XMPPTCPConnection a = Smack.login(nodes.get(0), alice, "pw-" + alice, "n0");
        XMPPTCPConnection c = Smack.login(nodes.get(0), carol, "pw-" + carol, "n0");
        XMPPTCPConnection b = Smack.login(nodes.get(1), bob, "pw-" + bob, "n1");
        org.jivesoftware.smackx.muc.MultiUserChat aliceRoom = null;
        EntityBareJid room = null;
        for (int i = 0; i < 30 && aliceRoom == null; i++) {
            EntityBareJid candidate = JidCreate.entityBareFrom(Users.fresh("clroom") + "@conference.localhost");
            org.jivesoftware.smackx.muc.MultiUserChat m = org.jivesoftware.smackx.muc.MultiUserChatManager.getInstanceFor(a)
                    .getMultiUserChat(candidate);
            m.create(org.jxmpp.jid.parts.Resourcepart.from("alice"));
            var form = m.getConfigurationForm().getFillableForm();
            form.setAnswer("muc#roomconfig_persistentroom", true);
            m.sendConfigurationForm(form);
            if (hosts(nodes.get(1), io.parley.engine.muc.RoomEntity.TYPE_KEY, candidate.toString())) {
                aliceRoom = m;
                room = candidate;
            } else {
                m.destroy("not on node 1", null);
            }
        }
        assertThat(aliceRoom).as("a room on node 1").isNotNull();
        org.jivesoftware.smackx.muc.MultiUserChat carolRoom = org.jivesoftware.smackx.muc.MultiUserChatManager.getInstanceFor(c)
                .getMultiUserChat(room);
        org.jivesoftware.smackx.muc.MultiUserChat bobRoom = org.jivesoftware.smackx.muc.MultiUserChatManager.getInstanceFor(b)
                .getMultiUserChat(room);
        carolRoom.join(org.jxmpp.jid.parts.Resourcepart.from("carol"));
        bobRoom.join(org.jxmpp.jid.parts.Resourcepart.from("bob"));
        var aliceSeen = new java.util.concurrent.LinkedBlockingQueue<String>();
        var carolSeen = new java.util.concurrent.LinkedBlockingQueue<String>();
        var bobSeen = new java.util.concurrent.LinkedBlockingQueue<String>();
        aliceRoom.addMessageListener(m -> {
            if (m.getBody() != null) {
                aliceSeen.add(m.getFrom().getResourceOrEmpty() + ":" + m.getBody());
            }
        });
        carolRoom.addMessageListener(m -> {
            if (m.getBody() != null) {
                carolSeen.add(m.getFrom().getResourceOrEmpty() + ":" + m.getBody());
            }
        });
        bobRoom.addMessageListener(m -> {
            if (m.getBody() != null) {
                bobSeen.add(m.getFrom().getResourceOrEmpty() + ":" + m.getBody());
            }
        });

        bobRoom.sendMessage("from node 1");
        aliceRoom.sendMessage("from node 0");
        for (var q : List.of(aliceSeen, carolSeen, bobSeen)) {
            assertThat(List.of(q.poll(15, java.util.concurrent.TimeUnit.SECONDS), q.poll(15, java.util.concurrent.TimeUnit.SECONDS)))
                    .containsExactlyInAnyOrder("bob:from node 1", "alice:from node 0");
        }

        var departures = new java.util.concurrent.LinkedBlockingQueue<org.jivesoftware.smack.packet.Presence>();
        aliceRoom.addParticipantListener(presence -> {
            if (presence.getType() == org.jivesoftware.smack.packet.Presence.Type.unavailable) {
                departures.add(presence);
            }
        });
        nodes.remove(1).close(); // bob's node leaves; the room's shard moves to node 0
        var bobLeft = departures.poll(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(bobLeft).as("alice sees bob leave").isNotNull();
        assertThat(bobLeft.getFrom().getResourceOrEmpty().toString()).isEqualTo("bob");
        assertThat(org.jivesoftware.smackx.muc.packet.MUCUser.from(bobLeft).getStatus())
                .as("332: removed because the server (bob's node) shut down")
                .contains(org.jivesoftware.smackx.muc.packet.MUCUser.Status.create(332));
        EntityBareJid roomJid = room;
        Awaits.until("the room runs on node 0 again", () -> hosts(nodes.get(0), io.parley.engine.muc.RoomEntity.TYPE_KEY,
                roomJid.toString()), 30);
        aliceRoom.sendMessage("after the move");
        assertThat(carolSeen.poll(15, java.util.concurrent.TimeUnit.SECONDS))
                .as("carol is still in the room without joining again").isEqualTo("alice:after the move");
        assertThat(aliceSeen.poll(15, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("alice:after the move");
        var info = org.jivesoftware.smackx.muc.MultiUserChatManager.getInstanceFor(c).getRoomInfo(room);
        assertThat(info.getOccupantsCount()).as("alice and carol are back, bob is gone").isEqualTo(2);
        a.disconnect();
        c.disconnect();
    }

    private static EntityBareJid uncheckedJid(String user) {
        try {
            return jid(user);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
