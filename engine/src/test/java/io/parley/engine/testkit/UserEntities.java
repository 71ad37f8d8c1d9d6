package io.parley.engine.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import io.parley.engine.ext.blocking.BlockingFeature;
import io.parley.engine.ext.offline.OfflineFeature;
import io.parley.engine.ext.vcard.AvatarFeature;
import io.parley.engine.roster.RosterContacts;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.HandoffRescue;
import io.parley.engine.routing.ToClient;
import io.parley.engine.routing.StanzaRouter;
import io.parley.engine.session.UserEntity;
import io.parley.engine.session.UserFeatures;
import io.parley.engine.session.UserState;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.sasl.StoredCredentials;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlReader;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** A user entity under the persistence test kit (serialization checked), with the node's standard user features. */
public final class UserEntities {

    private UserEntities() {
    }

    public static final StoredCredentials CREDS = StoredCredentials.fromPassword("pw", 4096);

    /**
     * Binds a resource to a new probe as its connection, which first gets each feature's seed (the
     * session's copy of its state, sent ahead of the bind reply): checked and taken here.
     */
    public static TestProbe<ConnectionMessage> bound(ActorTestKit kit,
                                                     EventSourcedBehaviorTestKit<UserEntity.Command, UserEntity.Event, UserState> entity,
                                                     UserFeatures features, String resource) {
        TestProbe<ConnectionMessage> conn = kit.createTestProbe();
        var r = entity.<UserEntity.BindReply>runCommand(rt -> new UserEntity.Bind(resource, conn.ref(), true, rt));
        assertThat(r.reply().resource()).isEqualTo(resource);
        assertThat(conn.receiveSeveralMessages(features.seeds(entity.getState()).size()))
                .containsExactlyElementsOf(features.seeds(entity.getState()));
        return conn;
    }

    public static XmlElement presence(int priority) {
        return XmlReader.parse("<presence xmlns='jabber:client'><priority>" + priority + "</priority></presence>");
    }

    public static XmlElement chat(String to, String body) {
        return XmlReader.parse("<message xmlns='jabber:client' type='chat' from='bob@localhost/x' to='" + to + "'><body>" + body
                + "</body></message>");
    }

    /** The next stanza the connection was told to write. */
    public static XmlElement delivered(TestProbe<ConnectionMessage> conn) {
        return conn.expectMessageClass(ToClient.Deliver.class).stanza();
    }

    /** The standard user features, at most {@code maxOffline} offline messages. */
    public static UserFeatures standard(int maxOffline) {
        return UserFeatures.of(List.of(new BlockingFeature(), new OfflineFeature(maxOffline), new AvatarFeature()));
    }

    public static EventSourcedBehaviorTestKit<UserEntity.Command, UserEntity.Event, UserState> create(
            ActorTestKit kit, String user, UserFeatures features, TestProbe<HandoffRescue.Command> rescue) {
        ClusterSharding sharding = ClusterSharding.get(kit.system());
        Jid domain = Jid.domain("localhost");
        UserEntity.Deps deps = new UserEntity.Deps(domain, new StanzaRouter(domain), sharding, features, Clock.systemUTC(), 100,
                Duration.ofMillis(300), rescue.ref(), new RosterContacts(sharding));
        TestProbe<ClusterSharding.ShardCommand> shard = kit.createTestProbe();
        return EventSourcedBehaviorTestKit.create(kit.system(),
                UserEntity.create(new EntityContext<>(UserEntity.TYPE_KEY, user, shard.ref()), deps),
                EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    }
}
