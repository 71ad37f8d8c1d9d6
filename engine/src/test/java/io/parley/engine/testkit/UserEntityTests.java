package io.parley.engine.testkit;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.HandoffRescue;
import io.parley.engine.session.UserEntity;
import io.parley.engine.session.UserFeatures;
import io.parley.engine.session.UserState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** What the user entity's tests share: a test kit, a fresh alice with the standard features (3 offline messages at most) per test. */
public abstract class UserEntityTests {

    protected static ActorTestKit kit;
    protected static final UserFeatures FEATURES = UserEntities.standard(3);
    protected EventSourcedBehaviorTestKit<UserEntity.Command, UserEntity.Event, UserState> entity;
    protected TestProbe<HandoffRescue.Command> rescue;

    @BeforeAll
    static void startKit() {
        kit = EntityTestKits.create();
    }

    @AfterAll
    static void stopKit() {
        kit.shutdownTestKit();
    }

    @BeforeEach
    void freshEntity() {
        rescue = kit.createTestProbe();
        entity = UserEntities.create(kit, "alice@localhost", FEATURES, rescue);
    }

    /** Binds a resource to a new probe, its seeds checked and taken. */
    protected TestProbe<ConnectionMessage> bound(String resource) {
        return UserEntities.bound(kit, entity, FEATURES, resource);
    }
}
