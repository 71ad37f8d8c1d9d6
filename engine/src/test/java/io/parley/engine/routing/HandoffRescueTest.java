package io.parley.engine.routing;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.Dropped;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.parley.engine.session.UserEntity;
import io.parley.engine.testkit.EntityTestKits;
import io.parley.protocol.xml.XmlReader;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What sharding drops at a hand-off is kept for the entity; other drops are left alone. */
class HandoffRescueTest {

    static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = EntityTestKits.create();
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    /** As Akka 2.6.21's ShardRegion drops a buffered message when it hands a shard over. */
    private static void drop(String entityId, UserEntity.Command c, String reason) {
        kit.system().classicSystem().deadLetters().tell(
                new Dropped(new ShardingEnvelope<>(entityId, c), reason, akka.actor.ActorRef.noSender(), akka.actor.ActorRef.noSender()),
                akka.actor.ActorRef.noSender());
    }

    private static UserEntity.Deliver chat(String body) {
        return new UserEntity.Deliver(XmlReader.parse("<message xmlns='jabber:client' to='a@localhost'><body>" + body + "</body></message>"));
    }

    @Test
    void droppedAtAHandOffIsHandedToTheEntityInOrder() {
        ActorRef<HandoffRescue.Command> rescue = kit.spawn(HandoffRescue.create(ClusterSharding.get(kit.system()), Duration.ofMinutes(1), UserEntity.RESCUE,
                java.util.List.of()));
        TestProbe<UserEntity.Command> entity = kit.createTestProbe();
        // the rescue subscribes on start: claim once first so the subscription is in place
        rescue.tell(new HandoffRescue.Claim("warmup", entity.ref()));
        entity.expectMessageClass(UserEntity.Rescued.class);

        drop("a@localhost", chat("one"), "Avoiding reordering of buffered messages at shard handoff");
        drop("a@localhost", chat("full"), "Buffer is full");
        drop("b@localhost", chat("other"), "Avoiding reordering of buffered messages at shard handoff");
        drop("a@localhost", chat("two"), "Avoiding reordering of buffered messages at shard handoff");
        rescue.tell(new HandoffRescue.Claim("a@localhost", entity.ref()));
        UserEntity.Rescued got = entity.expectMessageClass(UserEntity.Rescued.class);
        assertThat(got.commands()).extracting(c -> ((UserEntity.Deliver) c).stanza().elementText("body", "jabber:client"))
                .containsExactly("one", "two");

        rescue.tell(new HandoffRescue.Claim("a@localhost", entity.ref()));
        assertThat(entity.expectMessageClass(UserEntity.Rescued.class).commands()).as("claimed once").isEmpty();
    }
}
