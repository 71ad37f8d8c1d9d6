package io.parley.engine.testkit;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.ConfigFactory;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.session.UserEntity;
import io.parley.engine.storage.UserDataEntity;

/**
 * An actor test kit with the node's real serialization settings (Jackson CBOR, Parley's module,
 * serialize-messages on), the in-memory journal of the persistence test kit, and a one-node
 * cluster whose sharded entity types are stubs, so entities under test can address each other.
 */
public final class EntityTestKits {

    private EntityTestKits() {
    }

    public static ActorTestKit create() {
        ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString("""
                        parley.cluster.hostname = "127.0.0.1"
                        parley.cluster.port = 0
                        akka.loglevel = WARNING
                        akka.actor.serialize-messages = on
                        akka.cluster.jmx.multi-mbeans-in-same-jvm = on
                        akka.actor.testkit.typed.system-shutdown-default = 30s
                        akka.coordinated-shutdown.phases.cluster-exiting.timeout = 2s
                        akka.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 2s
                        """)
                .withFallback(ConfigFactory.parseResources("parley/akka-node.conf"))
                .withFallback(EventSourcedBehaviorTestKit.config())
                .withFallback(ConfigFactory.load())
                .resolve());
        Cluster.get(kit.system()).manager().tell(Join.create(Cluster.get(kit.system()).selfMember().address()));
        ClusterSharding sharding = ClusterSharding.get(kit.system());
        sharding.init(Entity.of(UserEntity.TYPE_KEY, ctx -> Behaviors.ignore()));
        sharding.init(Entity.of(RosterEntity.TYPE_KEY, ctx -> Behaviors.ignore()));
        sharding.init(Entity.of(UserDataEntity.TYPE_KEY, ctx -> Behaviors.ignore()));
        sharding.init(Entity.of(io.parley.engine.muc.RoomEntity.TYPE_KEY, ctx -> Behaviors.ignore()));
        sharding.init(Entity.of(io.parley.engine.muc.MucDirectory.TYPE_KEY, ctx -> Behaviors.ignore()));
        return kit;
    }
}
