package io.parley.engine.session;

import io.parley.engine.routing.ToClient;
import io.parley.engine.routing.ConnectionMessage;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import io.parley.engine.routing.StanzaRouter;
import io.parley.engine.testkit.EntityTestKits;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.sasl.StoredCredentials;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlReader;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The user entity without sockets: events, state, replies and what its sessions receive. */
class UserEntityTest {

    static ActorTestKit kit;
    static final StoredCredentials CREDS = StoredCredentials.fromPassword("pw", 4096);
    EventSourcedBehaviorTestKit<UserEntity.Command, UserEntity.Event, UserState> entity;
    TestProbe<io.parley.engine.routing.HandoffRescue.Command> rescue;

    @BeforeAll
    static void start() {
        kit = EntityTestKits.create();
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @BeforeEach
    void fresh() {
        rescue = kit.createTestProbe();
        ClusterSharding sharding = ClusterSharding.get(kit.system());
        Jid domain = Jid.domain("localhost");
        UserEntity.Deps deps = new UserEntity.Deps(domain, new StanzaRouter(domain), sharding, 3, Clock.systemUTC(), 100, java.time.Duration.ofMillis(300), rescue.ref(),
                new io.parley.engine.roster.RosterContacts(sharding));
        TestProbe<akka.cluster.sharding.typed.javadsl.ClusterSharding.ShardCommand> shard = kit.createTestProbe();
        entity = EventSourcedBehaviorTestKit.create(kit.system(),
                UserEntity.create(new EntityContext<>(UserEntity.TYPE_KEY, "alice@localhost", shard.ref()), deps),
                EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    }

    private TestProbe<ConnectionMessage> bound(String resource) {
        TestProbe<ConnectionMessage> conn = kit.createTestProbe();
        var r = entity.<UserEntity.BindReply>runCommand(rt -> new UserEntity.Bind(resource, conn.ref(), true, rt));
        assertThat(r.reply().resource()).isEqualTo(resource);
        return conn;
    }

    private static XmlElement presence(int priority) {
        return XmlReader.parse("<presence xmlns='jabber:client'><priority>" + priority + "</priority></presence>");
    }

    private static XmlElement chat(String to, String body) {
        return XmlReader.parse("<message xmlns='jabber:client' type='chat' from='bob@localhost/x' to='" + to + "'><body>" + body + "</body></message>");
    }

    private static XmlElement delivered(TestProbe<ConnectionMessage> conn) {
        return ((ToClient.Deliver) conn.expectMessageClass(ToClient.Deliver.class)).stanza();
    }

    /**
     * The entity restarts elsewhere (its node left or died) while a session on another node is
     * alive: deliveries wait until that session registers again, then reach it, not offline storage.
     */
    @Test
    void afterARestartDeliveriesWaitForTheSessionToRegisterAgain() {
        entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.CreateAccount(CREDS, rt));
        TestProbe<ConnectionMessage> conn = bound("desk");
        var online = entity.runCommand(new UserEntity.SessionPresence("desk", presence(1), true));
        assertThat(online.events()).contains(new UserEntity.ResourceOnline("desk"));
        delivered(conn); // the presence echo
        entity.restart();
        assertThat(entity.getState().online()).containsExactly("desk");
        var held = entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "while moving")));
        assertThat(held.hasNoEvents()).isTrue();
        conn.expectNoMessage(java.time.Duration.ofMillis(50));
        var again = entity.<UserEntity.BindReply>runCommand(rt -> new UserEntity.Reattach("desk", conn.ref(),
                presence(1).withAttr("from", "alice@localhost/desk"), true, false, rt));
        assertThat(again.reply().error()).isNull();
        assertThat(delivered(conn).elementText("body", Namespaces.CLIENT)).isEqualTo("while moving");
        assertThat(entity.getState().lastSeen()).isNull();
    }

    /**
     * Sharding's stop message (a shard handed over): the entity claims what the region dropped for
     * it and handles that, in order, before it stops, instead of losing it.
     */
    @Test
    void aStoppingEntityHandlesWhatShardingDroppedBeforeItStops() {
        entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.CreateAccount(CREDS, rt));
        TestProbe<ConnectionMessage> conn = bound("desk");
        entity.runCommand(new UserEntity.SessionPresence("desk", presence(1), true));
        delivered(conn); // the presence echo
        entity.runCommand(UserEntity.Lifecycle.PASSIVATE);
        var claim = rescue.expectMessageClass(io.parley.engine.routing.HandoffRescue.Claim.class);
        assertThat(claim.entityId()).isEqualTo("alice@localhost");
        claim.replyTo(UserEntity.RESCUE).tell(new UserEntity.Rescued(List.of(new UserEntity.Deliver(chat("alice@localhost", "dropped 1")),
                new UserEntity.Deliver(chat("alice@localhost", "dropped 2")))));
        assertThat(delivered(conn).elementText("body", Namespaces.CLIENT)).isEqualTo("dropped 1");
        assertThat(delivered(conn).elementText("body", Namespaces.CLIENT)).isEqualTo("dropped 2");
    }

    /** Restarted with a recorded resource that never registers again: after the grace period it is gone, and held messages are stored. */
    @Test
    void aResourceThatDoesNotComeBackIsAnnouncedGoneAfterTheGracePeriod() {
        entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.CreateAccount(CREDS, rt));
        bound("phone");
        entity.runCommand(new UserEntity.SessionPresence("phone", presence(1), true));
        entity.restart();
        entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "for later")));
        io.parley.engine.testkit.Awaits.until("the resource is announced gone", () -> entity.getState().online().isEmpty());
        assertThat(entity.getState().lastSeen()).isNotNull();
        io.parley.engine.testkit.Awaits.until("the held message is stored", () -> entity.getState().offline().size() == 1);
    }

    @Test
    void accountLifecycle() {
        var created = entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.CreateAccount(CREDS, rt));
        assertThat(created.reply()).isEqualTo(UserEntity.AccountReply.DONE);
        assertThat(created.event()).isInstanceOf(UserEntity.AccountCreated.class);
        assertThat(entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.CreateAccount(CREDS, rt)).reply())
                .isEqualTo(UserEntity.AccountReply.EXISTS);
        assertThat(entity.<UserEntity.Credentials>runCommand(UserEntity.GetCredentials::new).reply().credentials()).isEqualTo(CREDS);
        StoredCredentials other = StoredCredentials.fromPassword("other", 4096);
        entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.ChangePassword(other, rt));
        assertThat(entity.getState().credentials()).isEqualTo(other);
        // survives a restart (replay)
        entity.restart();
        assertThat(entity.getState().credentials()).isEqualTo(other);
        var deleted = entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.DeleteAccount(null, rt));
        assertThat(deleted.reply()).isEqualTo(UserEntity.AccountReply.DONE);
        assertThat(entity.getState().exists()).isFalse();
    }

    @Test
    void bindingConflictsReplaceOrRefuse() {
        entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.CreateAccount(CREDS, rt));
        TestProbe<ConnectionMessage> first = bound("phone");
        TestProbe<ConnectionMessage> second = kit.createTestProbe();
        var refused = entity.<UserEntity.BindReply>runCommand(rt -> new UserEntity.Bind("phone", second.ref(), false, rt));
        assertThat(refused.reply().error()).isEqualTo(StanzaErrorCondition.CONFLICT);
        var replaced = entity.<UserEntity.BindReply>runCommand(rt -> new UserEntity.Bind("phone", second.ref(), true, rt));
        assertThat(replaced.reply().resource()).isEqualTo("phone");
        assertThat(first.expectMessageClass(ToClient.Kick.class).condition()).isEqualTo(StreamErrorCondition.CONFLICT);
        var generated = entity.<UserEntity.BindReply>runCommand(rt -> new UserEntity.Bind(null, kit.<ConnectionMessage>createTestProbe().ref(), true, rt));
        assertThat(generated.reply().resource()).startsWith("parley-");
    }

    @Test
    void theAvatarHashIsKeptAndHandedToEachNewSession() {
        entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.CreateAccount(CREDS, rt));
        TestProbe<ConnectionMessage> conn = kit.createTestProbe();
        assertThat(entity.<UserEntity.BindReply>runCommand(rt -> new UserEntity.Bind("a", conn.ref(), true, rt)).reply().avatarHash())
                .as("a new account has no avatar").isEqualTo("");
        assertThat(entity.runCommand(new UserEntity.SetAvatarHash("abc123")).events())
                .containsExactly(new UserEntity.AvatarHashChanged("abc123"));
        assertThat(entity.runCommand(new UserEntity.SetAvatarHash("abc123")).hasNoEvents()).as("unchanged: nothing written").isTrue();
        entity.restart();
        var r = entity.<UserEntity.BindReply>runCommand(rt -> new UserEntity.Bind("b", kit.<ConnectionMessage>createTestProbe().ref(), true, rt));
        assertThat(r.reply().avatarHash()).isEqualTo("abc123");
    }

    @Test
    void aStateFromBeforeAvatarHashesReadsAsUnknown() throws Exception {
        // a snapshot written before the field existed: the hash is unknown (null), not "no avatar"
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.cbor.CBORFactory())
                .findAndRegisterModules().registerModule(new io.parley.persistence.ParleyJacksonModule());
        UserState current = UserState.EMPTY.withAccount(CREDS, java.time.Instant.parse("2026-01-01T00:00:00Z"));
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.valueToTree(current);
        tree.remove("avatarHash");
        UserState old = mapper.treeToValue(tree, UserState.class);
        assertThat(old.avatarHash()).isNull();
        assertThat(old.credentials()).isEqualTo(CREDS);
        assertThat(old.offline()).isEmpty();
    }

    @Test
    void bindingWithoutAnAccountIsRefused() {
        var r = entity.<UserEntity.BindReply>runCommand(rt -> new UserEntity.Bind("x", kit.<ConnectionMessage>createTestProbe().ref(), true, rt));
        assertThat(r.reply().error()).isEqualTo(StanzaErrorCondition.NOT_AUTHORIZED);
    }

    @Test
    void messagesGoToTheBestResourceOrOfflineAndFloodAtInitialPresence() {
        entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.CreateAccount(CREDS, rt));
        TestProbe<ConnectionMessage> low = bound("low");
        entity.runCommand(new UserEntity.SessionPresence("low", presence(-1), true));
        assertThat(delivered(low).name()).isEqualTo("presence");
        // only a negative-priority resource: a chat to the bare JID is stored, with a delay stamp
        var stored = entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "one")));
        assertThat(stored.event()).isInstanceOf(UserEntity.OfflineStored.class);
        XmlElement kept = ((UserEntity.OfflineStored) stored.event()).message();
        assertThat(kept.element("delay", Namespaces.DELAY).attr("from")).isEqualTo("localhost");
        low.expectNoMessage();
        // a full-JID message reaches the negative-priority resource
        entity.runCommand(new UserEntity.Deliver(chat("alice@localhost/low", "direct")));
        assertThat(delivered(low).elementText("body", Namespaces.CLIENT)).isEqualTo("direct");
        // a positive resource comes online: the stored message is flooded to it
        TestProbe<ConnectionMessage> high = bound("high");
        var flood = entity.runCommand(new UserEntity.SessionPresence("high", presence(5), true));
        assertThat(flood.events()).hasAtLeastOneElementOfType(UserEntity.OfflineRemoved.class)
                .contains(new UserEntity.ResourceOnline("high"));
        List<String> got = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            XmlElement e = delivered(high);
            got.add(e.name() + ":" + e.elementText("body", Namespaces.CLIENT));
        }
        assertThat(got).contains("message:one");
        entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "two")));
        assertThat(delivered(high).elementText("body", Namespaces.CLIENT)).isEqualTo("two");
    }

    @Test
    void offlineStorageIsBoundedAndChatStatesAreNotKept() {
        entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.CreateAccount(CREDS, rt));
        for (int i = 0; i < 3; i++) {
            int n = i;
            assertThat(entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "m" + n))).events()).hasSize(1);
        }
        assertThat(entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "over"))).events()).isEmpty();
        XmlElement composing = XmlReader.parse("<message xmlns='jabber:client' type='chat' from='bob@localhost/x' to='alice@localhost'>"
                + "<composing xmlns='http://jabber.org/protocol/chatstates'/></message>");
        assertThat(entity.runCommand(new UserEntity.Deliver(composing)).events()).isEmpty();
        assertThat(entity.getState().offline()).hasSize(3);
    }

    @Test
    void blockedSendersGetNothingThrough() {
        entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.CreateAccount(CREDS, rt));
        TestProbe<ConnectionMessage> conn = bound("r");
        entity.runCommand(new UserEntity.SessionPresence("r", presence(0), true));
        delivered(conn);
        var blocked = entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.Block(List.of(Jid.of("bob@localhost")), rt));
        assertThat(blocked.event()).isEqualTo(new UserEntity.JidsBlocked(List.of(Jid.of("bob@localhost"))));
        assertThat(conn.expectMessageClass(ToClient.BlocklistChanged.class).blocked()).containsExactly(Jid.of("bob@localhost"));
        entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "spam")));
        conn.expectNoMessage();
        entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.Unblock(List.of(), rt));
        conn.expectMessageClass(ToClient.BlocklistChanged.class);
        entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "ok now")));
        assertThat(delivered(conn).elementText("body", Namespaces.CLIENT)).isEqualTo("ok now");
    }

    @Test
    void aDeadConnectionEndsItsSessionAndRecordsLastActivity() {
        entity.<UserEntity.AccountReply>runCommand(rt -> new UserEntity.CreateAccount(CREDS, rt));
        TestProbe<ConnectionMessage> conn = bound("r");
        entity.runCommand(new UserEntity.SessionPresence("r", presence(0), true));
        var r = entity.runCommand(new UserEntity.Unbind("r", conn.ref(), null));
        assertThat(r.event()).isInstanceOf(UserEntity.LastSeen.class);
        var last = entity.<UserEntity.LastActivity>runCommand(UserEntity.GetLastActivity::new).reply();
        assertThat(last.online()).isFalse();
        assertThat(last.lastSeen()).isNotNull();
    }
}
