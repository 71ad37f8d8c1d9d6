package io.parley.engine.ext;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.japi.function.Function;
import io.parley.engine.config.ParleySettings;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.routing.Router;
import io.parley.engine.session.UserEntity;
import io.parley.engine.storage.UserDataEntity;
import io.parley.protocol.jid.Jid;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * What a node's connections and extension handlers share: settings, the router, the sharded
 * entities, the registry of extensions, TLS, limits. Immutable after start.
 */
public record Services(
        ActorSystem<?> system,
        ParleySettings settings,
        ClusterSharding sharding,
        Router router,
        ExtensionRegistry registry,
        SSLContext tls,
        Executor blockingExecutor,
        Clock clock,
        Instant started,
        Duration askTimeout) {

    public Jid domain() {
        return settings.domain();
    }

    public <R> CompletionStage<R> askUser(Jid bare, Function<ActorRef<R>, UserEntity.Command> message) {
        return sharding.entityRefFor(UserEntity.TYPE_KEY, bare.bare().toString()).ask(message, askTimeout);
    }

    public <R> CompletionStage<R> askRoster(Jid bare, Function<ActorRef<R>, RosterEntity.Command> message) {
        return sharding.entityRefFor(RosterEntity.TYPE_KEY, bare.bare().toString()).ask(message, askTimeout);
    }

    public <R> CompletionStage<R> askData(Jid bare, Function<ActorRef<R>, UserDataEntity.Command> message) {
        return sharding.entityRefFor(UserDataEntity.TYPE_KEY, bare.bare().toString()).ask(message, askTimeout);
    }

    public void tellUser(Jid bare, UserEntity.Command message) {
        sharding.entityRefFor(UserEntity.TYPE_KEY, bare.bare().toString()).tell(message);
    }

    public void tellRoster(Jid bare, RosterEntity.Command message) {
        sharding.entityRefFor(RosterEntity.TYPE_KEY, bare.bare().toString()).tell(message);
    }

    /** Asks any actor, with the node's timeout. */
    public <Req, R> CompletionStage<R> ask(ActorRef<Req> target, Function<ActorRef<R>, Req> message) {
        return AskPattern.ask(target, message, askTimeout, system.scheduler());
    }
}
