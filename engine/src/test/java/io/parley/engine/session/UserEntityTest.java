package io.parley.engine.session;

import static io.parley.engine.testkit.UserEntities.CREDS;
import static io.parley.engine.testkit.UserEntities.chat;
import static io.parley.engine.testkit.UserEntities.delivered;
import static io.parley.engine.testkit.UserEntities.presence;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.TestProbe;
import io.parley.engine.ext.offline.OfflineFeature;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.ToClient;
import io.parley.engine.testkit.UserEntityTests;
import io.parley.protocol.sasl.StoredCredentials;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.xml.Namespaces;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The user entity without sockets: events, state, replies and what its sessions receive. */
class UserEntityTest extends UserEntityTests {

    /**
     * The entity restarts elsewhere (its node left or died) while a session on another node is
     * alive: deliveries wait until that session registers again, then reach it, not offline storage.
     */
    @Test
    void afterARestartDeliveriesWaitForTheSessionToRegisterAgain() {
        entity.<Account.Reply>runCommand(rt -> new Account.Create(CREDS, rt));
        TestProbe<ConnectionMessage> conn = bound("desk");
        var online = entity.runCommand(new UserEntity.SessionPresence("desk", presence(1)));
        assertThat(online.events()).contains(new Availability.ResourceOnline("desk"));
        delivered(conn); // the presence echo
        entity.restart();
        assertThat(entity.getState().get(Availability.SLICE).online()).containsExactly("desk");
        var held = entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "while moving")));
        assertThat(held.hasNoEvents()).isTrue();
        conn.expectNoMessage(java.time.Duration.ofMillis(50));
        var again = entity.<UserEntity.BindReply>runCommand(rt -> new UserEntity.Reattach("desk", conn.ref(),
                presence(1).withAttr("from", "alice@localhost/desk"), java.util.Set.of(RosterEntity.PUSHES), rt));
        assertThat(again.reply().error()).isNull();
        assertThat(delivered(conn).elementText("body", Namespaces.CLIENT)).isEqualTo("while moving");
        assertThat(entity.getState().get(Availability.SLICE).lastSeen()).isNull();
    }

    /**
     * Sharding's stop message (a shard handed over): the entity claims what the region dropped for
     * it and handles that, in order, before it stops, instead of losing it.
     */
    @Test
    void aStoppingEntityHandlesWhatShardingDroppedBeforeItStops() {
        entity.<Account.Reply>runCommand(rt -> new Account.Create(CREDS, rt));
        TestProbe<ConnectionMessage> conn = bound("desk");
        entity.runCommand(new UserEntity.SessionPresence("desk", presence(1)));
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
        entity.<Account.Reply>runCommand(rt -> new Account.Create(CREDS, rt));
        bound("phone");
        entity.runCommand(new UserEntity.SessionPresence("phone", presence(1)));
        entity.restart();
        entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "for later")));
        io.parley.engine.testkit.Awaits.until("the resource is announced gone", () -> entity.getState().get(Availability.SLICE).online().isEmpty());
        assertThat(entity.getState().get(Availability.SLICE).lastSeen()).isNotNull();
        io.parley.engine.testkit.Awaits.until("the held message is stored", () -> entity.getState().get(OfflineFeature.SLICE).offline().size() == 1);
    }

    @Test
    void accountLifecycle() {
        var created = entity.<Account.Reply>runCommand(rt -> new Account.Create(CREDS, rt));
        assertThat(created.reply()).isEqualTo(Account.Reply.DONE);
        assertThat(created.event()).isInstanceOf(Account.AccountCreated.class);
        assertThat(entity.<Account.Reply>runCommand(rt -> new Account.Create(CREDS, rt)).reply())
                .isEqualTo(Account.Reply.EXISTS);
        assertThat(entity.<Account.Credentials>runCommand(Account.GetCredentials::new).reply().credentials()).isEqualTo(CREDS);
        StoredCredentials other = StoredCredentials.fromPassword("other", 4096);
        entity.<Account.Reply>runCommand(rt -> new Account.ChangePassword(other, rt));
        assertThat(entity.getState().get(Account.SLICE).credentials()).isEqualTo(other);
        // survives a restart (replay)
        entity.restart();
        assertThat(entity.getState().get(Account.SLICE).credentials()).isEqualTo(other);
        var deleted = entity.<Account.Reply>runCommand(rt -> new Account.Delete(null, rt));
        assertThat(deleted.reply()).isEqualTo(Account.Reply.DONE);
        assertThat(entity.getState().exists()).isFalse();
    }

    @Test
    void bindingConflictsReplaceOrRefuse() {
        entity.<Account.Reply>runCommand(rt -> new Account.Create(CREDS, rt));
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
    void bindingWithoutAnAccountIsRefused() {
        var r = entity.<UserEntity.BindReply>runCommand(rt -> new UserEntity.Bind("x", kit.<ConnectionMessage>createTestProbe().ref(), true, rt));
        assertThat(r.reply().error()).isEqualTo(StanzaErrorCondition.NOT_AUTHORIZED);
    }

    @Test
    void aDeadConnectionEndsItsSessionAndRecordsLastActivity() {
        entity.<Account.Reply>runCommand(rt -> new Account.Create(CREDS, rt));
        TestProbe<ConnectionMessage> conn = bound("r");
        entity.runCommand(new UserEntity.SessionPresence("r", presence(0)));
        var r = entity.runCommand(new UserEntity.Unbind("r", conn.ref(), null));
        assertThat(r.event()).isInstanceOf(Availability.LastSeen.class);
        var last = entity.<UserEntity.LastActivity>runCommand(UserEntity.GetLastActivity::new).reply();
        assertThat(last.online()).isFalse();
        assertThat(last.lastSeen()).isNotNull();
    }
}
