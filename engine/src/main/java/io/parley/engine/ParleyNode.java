package io.parley.engine;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.SpawnProtocol;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.cluster.typed.JoinSeedNodes;
import com.typesafe.config.Config;
import io.parley.engine.config.ParleySettings;
import io.parley.engine.net.C2sListener;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.roster.RosterContacts;
import io.parley.engine.routing.HandoffRescue;
import io.parley.engine.routing.StanzaRouter;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.NodeSetup;
import io.parley.engine.ext.Services;
import io.parley.engine.session.UserFeatures;
import io.parley.engine.session.UserEntity;
import io.parley.engine.storage.UserDataEntity;
import io.parley.persistence.StoreSchema;
import io.parley.protocol.tls.TlsContexts;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * A running Parley node: its actor system joined to a cluster (itself, by default), the store
 * schema checked, the sharded entities started, the client ports bound. {@link #start} completes
 * when the node serves clients; {@link #stop} closes every connection with system-shutdown and
 * leaves the cluster.
 */
public final class ParleyNode {

    private final ActorSystem<SpawnProtocol.Command> system;
    private final Services services;
    private final List<ActorRef<C2sListener.Command>> listeners;
    private final int port;
    private final int directTlsPort;

    private ParleyNode(ActorSystem<SpawnProtocol.Command> system, Services services,
                       List<ActorRef<C2sListener.Command>> listeners, int port, int directTlsPort) {
        this.system = system;
        this.services = services;
        this.listeners = listeners;
        this.port = port;
        this.directTlsPort = directTlsPort;
    }

    public ActorSystem<?> system() {
        return system;
    }

    public Services services() {
        return services;
    }

    public ParleySettings settings() {
        return services.settings();
    }

    /** The bound STARTTLS client port, or -1. */
    public int port() {
        return port;
    }

    /** The bound Direct TLS client port, or -1. */
    public int directTlsPort() {
        return directTlsPort;
    }

    /** Starts a node; fails with the cause when the configuration, the store or a port is unusable. */
    public static CompletionStage<ParleyNode> start(Config config) {
        ParleySettings settings;
        SSLContext tls;
        try {
            settings = ParleySettings.from(config);
            Files.createDirectories(settings.dataDir());
            if (settings.tls().nativeCrypto()) {
                io.parley.protocol.tls.NativeCrypto.install();
                org.slf4j.LoggerFactory.getLogger(ParleyNode.class).info("native crypto: {}", io.parley.protocol.tls.NativeCrypto.status());
            }
            KeyStore ks = TlsContexts.loadOrCreate(settings.tls().keyStore(), settings.domain().toString(), settings.tls().password());
            tls = TlsContexts.server(ks, settings.tls().password());
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
        ActorSystem<SpawnProtocol.Command> system = ActorSystem.create(SpawnProtocol.create(), "parley", config);
        CompletionStage<ParleyNode> started = joinCluster(system, config)
                .thenCompose(d -> StoreSchema.ensure(system, settings.storeInit()))
                .thenCompose(d -> startServices(system, settings, tls));
        return started.whenComplete((node, ex) -> {
            if (ex != null) {
                system.terminate();
            }
        });
    }

    private static CompletionStage<Done> joinCluster(ActorSystem<?> system, Config config) {
        Cluster cluster = Cluster.get(system);
        List<String> seeds = config.getStringList("parley.cluster.seed-nodes");
        if (seeds.isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        } else {
            List<akka.actor.Address> addresses = new ArrayList<>();
            seeds.forEach(s -> addresses.add(akka.actor.AddressFromURIString.parse(s)));
            cluster.manager().tell(new JoinSeedNodes(addresses));
        }
        CompletableFuture<Done> up = new CompletableFuture<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Runnable[] check = new Runnable[1];
        check[0] = () -> {
            if (cluster.selfMember().status().equals(MemberStatus.up())) {
                up.complete(Done.getInstance());
            } else if (System.nanoTime() > deadline) {
                up.completeExceptionally(new IllegalStateException("the node did not join its cluster within 60 s"));
            } else {
                system.scheduler().scheduleOnce(Duration.ofMillis(50), check[0], system.executionContext());
            }
        };
        check[0].run();
        return up;
    }

    private static CompletionStage<ParleyNode> startServices(ActorSystem<SpawnProtocol.Command> system, ParleySettings settings,
                                                             SSLContext tls) {
        Clock clock = Clock.systemUTC();
        ClusterSharding sharding = ClusterSharding.get(system);
        ExtensionRegistry registry = Extensions.registry(settings);
        StanzaRouter router = new StanzaRouter(settings.domain());
        router.accounts((stanza, to, connection) -> {
            sharding.entityRefFor(UserEntity.TYPE_KEY, to.bare().toString()).tell(new UserEntity.Deliver(stanza));
            return java.util.Optional.empty();
        });
        // what sharding drops when a shard moves (a rolling restart) is handed back to the entity
        ActorRef<HandoffRescue.Command> rescue = system.systemActorOf(
                HandoffRescue.create(sharding, Duration.ofSeconds(5), UserEntity.RESCUE, List.of(
                        new HandoffRescue.SentOn<>(RosterEntity.TYPE_KEY, RosterEntity.Command.class),
                        new HandoffRescue.SentOn<>(UserDataEntity.TYPE_KEY, UserDataEntity.Command.class))),
                "handoff-rescue", akka.actor.typed.Props.empty());
        UserEntity.Deps deps = new UserEntity.Deps(settings.domain(), router, sharding, UserFeatures.of(registry.userFeatures()), clock,
                settings.snapshotEvery(), settings.reattachGrace(), rescue, new RosterContacts(sharding));
        sharding.init(Entity.of(UserEntity.TYPE_KEY, ctx -> UserEntity.create(ctx, deps))
                .withStopMessage(UserEntity.stopMessage())
                // remembered: a user entity that was running on a node that is lost restarts elsewhere at
                // once, and announces the resources whose connections died with it
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy().withRememberEntities(true)));
        sharding.init(Entity.of(RosterEntity.TYPE_KEY, ctx -> RosterEntity.create(ctx, router, sharding, settings.snapshotEvery()))
                .withSettings(idleAfter(system, settings.entities().rosterIdle())));
        sharding.init(Entity.of(UserDataEntity.TYPE_KEY, ctx -> UserDataEntity.create(ctx, settings.snapshotEvery()))
                .withSettings(idleAfter(system, settings.entities().userDataIdle())));
        // the extensions' own entity types, actors and service domains (Multi-User Chat)
        registry.start(new NodeSetup(system, settings, sharding, router, clock));
        Executor blocking = system.dispatchers().lookup(akka.actor.typed.DispatcherSelector.blocking());
        Services services = new Services(system, settings, sharding, router, registry, tls,
                blocking, clock, clock.instant(), Duration.ofSeconds(10));
        CompletionStage<Listening> plain = listen(system, services, settings.c2s().port(), false);
        CompletionStage<Listening> direct = listen(system, services, settings.c2s().directTlsPort(), true);
        return plain.thenCombine(direct, (p, d) -> {
            List<ActorRef<C2sListener.Command>> ls = new ArrayList<>();
            if (p.listener != null) {
                ls.add(p.listener);
            }
            if (d.listener != null) {
                ls.add(d.listener);
            }
            system.systemActorOf(io.parley.engine.admin.NodeSessions.create(ls), "node-sessions",
                    akka.actor.typed.Props.empty());
            return new ParleyNode(system, services, ls, p.port, d.port);
        }).thenCompose(node -> node.startAdmin().thenApply(port -> {
            node.adminPort = port;
            node.registerShutdown();
            return node;
        }));
    }

    private static ClusterShardingSettings idleAfter(ActorSystem<?> system, Duration idle) {
        ClusterShardingSettings s = ClusterShardingSettings.create(system);
        return s.withPassivationStrategy(s.passivationStrategySettings().withIdleEntityPassivation(idle));
    }

    private int adminPort = -1;

    /** The bound admin API port, or -1. */
    public int adminPort() {
        return adminPort;
    }

    private CompletionStage<Integer> startAdmin() {
        ParleySettings.Admin a = services.settings().admin();
        if (a.port() < 0) {
            return CompletableFuture.completedFuture(-1);
        }
        io.parley.engine.admin.AdminOps ops = new io.parley.engine.admin.AdminOps(services);
        return io.parley.engine.admin.AdminHttp.start(system, ops, a.iface(), a.port(), services.settings().dataDir())
                .handle((binding, ex) -> {
                    if (ex != null) {
                        throw new PortUnavailableException("cannot listen on " + a.iface() + ":" + a.port()
                                + " for the admin API (" + ex.getMessage() + ")", ex);
                    }
                    return binding.localAddress().getPort();
                });
    }

    private record Listening(ActorRef<C2sListener.Command> listener, int port) {
    }

    private static CompletionStage<Listening> listen(ActorSystem<SpawnProtocol.Command> system, Services services, int port,
                                                     boolean directTls) {
        if (port < 0) {
            return CompletableFuture.completedFuture(new Listening(null, -1));
        }
        String name = "c2s-" + (directTls ? "direct-tls" : "starttls");
        Duration timeout = Duration.ofSeconds(10);
        CompletableFuture<C2sListener.BindResult> bound = new CompletableFuture<>();
        akka.actor.typed.Behavior<C2sListener.BindResult> promise = akka.actor.typed.javadsl.Behaviors
                .receive(C2sListener.BindResult.class)
                .onAnyMessage(b -> {
                    bound.complete(b);
                    return akka.actor.typed.javadsl.Behaviors.stopped();
                }).build();
        CompletionStage<ActorRef<C2sListener.BindResult>> promiseRef = AskPattern.ask(system,
                r -> new SpawnProtocol.Spawn<>(promise, name + "-bound", Props.empty(), r), timeout, system.scheduler());
        CompletionStage<ActorRef<C2sListener.Command>> listener = promiseRef.thenCompose(p -> AskPattern.ask(system,
                r -> new SpawnProtocol.Spawn<>(C2sListener.create(services, port, directTls, p), name, Props.empty(), r),
                timeout, system.scheduler()));
        return listener.thenCombine(bound, (l, b) -> {
            if (b.failure() != null) {
                throw new PortUnavailableException("cannot listen on " + services.settings().c2s().iface() + ":" + port
                        + " (" + b.failure().getMessage() + ")", b.failure());
            }
            return new Listening(l, b.port());
        });
    }

    /** On shutdown: stop accepting, close every stream with system-shutdown, then leave. */
    private void registerShutdown() {
        CoordinatedShutdown cs = CoordinatedShutdown.get(system);
        cs.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "parley-unbind", () -> all(l -> new C2sListener.Unbind(l)));
        cs.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "parley-close-streams", () -> all(l -> new C2sListener.CloseAll(l)));
    }

    private CompletionStage<Done> all(akka.japi.function.Function<ActorRef<Done>, C2sListener.Command> msg) {
        CompletableFuture<?>[] fs = listeners.stream()
                .map(l -> AskPattern.ask(l, msg, Duration.ofSeconds(5), system.scheduler()).toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(fs).handle((v, ex) -> Done.getInstance());
    }

    /** Stops the node: connections get system-shutdown, the node leaves its cluster, the system terminates. */
    public CompletionStage<Done> stop() {
        return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason())
                .thenCompose(d -> system.getWhenTerminated());
    }

    /** A client port cannot be bound (in use, or not permitted). */
    public static final class PortUnavailableException extends RuntimeException {
        public PortUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
