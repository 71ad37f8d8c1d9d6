package io.parley.engine.roster;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import io.parley.engine.routing.StanzaRouter;
import io.parley.engine.testkit.EntityTestKits;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlReader;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The roster entity's own state and events: items, versions, and subscription records. */
class RosterEntityTest {

    static ActorTestKit kit;
    EventSourcedBehaviorTestKit<RosterEntity.Command, RosterEntity.Event, RosterState> roster;

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
        ClusterSharding sharding = ClusterSharding.get(kit.system());
        TestProbe<ClusterSharding.ShardCommand> shard = kit.createTestProbe();
        roster = EventSourcedBehaviorTestKit.create(kit.system(),
                RosterEntity.create(new EntityContext<>(RosterEntity.TYPE_KEY, "romeo@localhost", shard.ref()),
                        new StanzaRouter(Jid.domain("localhost")), sharding, 100),
                EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    }

    private RosterEntity.UpdateReply set(String jid, String name, List<String> groups) {
        return roster.<RosterEntity.UpdateReply>runCommand(rt -> new RosterEntity.SetItem(Jid.of(jid), name, groups, rt)).reply();
    }

    private static XmlElement presence(String from, String to, String type) {
        return XmlReader.parse("<presence xmlns='jabber:client' from='" + from + "' to='" + to + "' type='" + type + "'/>");
    }

    @Test
    void versionsCountVisibleChangesAndRemovalsForceAFullRoster() {
        assertThat(set("juliet@localhost", "Juliet", List.of("Capulets")).error()).isNull();
        assertThat(set("mercutio@localhost", null, List.of()).error()).isNull();
        assertThat(roster.getState().version()).isEqualTo(2);
        var upToDate = roster.<RosterEntity.RosterResult>runCommand(rt -> new RosterEntity.GetRoster("2", rt)).reply();
        assertThat(upToDate.items()).isNull();
        assertThat(upToDate.pushes()).isEmpty();
        var behind = roster.<RosterEntity.RosterResult>runCommand(rt -> new RosterEntity.GetRoster("1", rt)).reply();
        assertThat(behind.items()).isNull();
        assertThat(behind.pushes()).hasSize(1);
        assertThat(roster.<RosterEntity.UpdateReply>runCommand(rt -> new RosterEntity.RemoveItem(Jid.of("mercutio@localhost"), rt))
                .reply().error()).isNull();
        var afterRemoval = roster.<RosterEntity.RosterResult>runCommand(rt -> new RosterEntity.GetRoster("2", rt)).reply();
        assertThat(afterRemoval.items()).extracting(RosterItem::jid).containsExactly(Jid.of("juliet@localhost"));
        assertThat(roster.<RosterEntity.UpdateReply>runCommand(rt -> new RosterEntity.RemoveItem(Jid.of("nobody@localhost"), rt))
                .reply().error()).isEqualTo(StanzaErrorCondition.ITEM_NOT_FOUND);
        roster.restart();
        assertThat(roster.getState().version()).isEqualTo(3);
    }

    @Test
    void ownJidIsNotAllowed() {
        assertThat(set("romeo@localhost", null, List.of()).error()).isEqualTo(StanzaErrorCondition.NOT_ALLOWED);
    }

    @Test
    void anInboundRequestIsAHiddenRecordUntilApproved() {
        roster.runCommand(new RosterEntity.Inbound(presence("juliet@localhost/balcony", "romeo@localhost", "subscribe")));
        RosterItem pending = roster.getState().item(Jid.of("juliet@localhost"));
        assertThat(pending.inRoster()).isFalse();
        assertThat(pending.subscription().pendingIn()).isTrue();
        assertThat(pending.pendingRequest().attr("from")).isEqualTo("juliet@localhost");
        assertThat(roster.getState().version()).isZero();
        // approval creates the item with 'from' and drops the stored request
        roster.runCommand(new RosterEntity.Outbound(presence("romeo@localhost/orchard", "juliet@localhost", "subscribed")));
        RosterItem approved = roster.getState().item(Jid.of("juliet@localhost"));
        assertThat(approved.inRoster()).isTrue();
        assertThat(approved.subscription().attribute()).isEqualTo("from");
        assertThat(approved.pendingRequest()).isNull();
        assertThat(roster.getState().version()).isEqualTo(1);
    }

    @Test
    void aWithdrawnRequestLeavesNoTrace() {
        roster.runCommand(new RosterEntity.Inbound(presence("spammer@localhost", "romeo@localhost", "subscribe")));
        roster.runCommand(new RosterEntity.Inbound(presence("spammer@localhost", "romeo@localhost", "unsubscribe")));
        assertThat(roster.getState().items()).isEmpty();
    }

    @Test
    void clearForgetsEverything() {
        set("juliet@localhost", "Juliet", List.of());
        roster.runCommand(RosterEntity.Clear.INSTANCE);
        assertThat(roster.getState().items()).isEmpty();
    }
}
