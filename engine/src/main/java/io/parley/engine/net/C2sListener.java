package io.parley.engine.net;

import akka.Done;
import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Tcp;
import io.parley.engine.ext.Services;
import io.parley.engine.c2s.C2sConnection;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.ToClient;
import io.parley.protocol.stream.StreamErrorCondition;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * One client port: binds TCP, refuses connections over the per-address and total limits (with a
 * policy-violation stream error), and gives every accepted socket its own
 * {@link C2sConnection} actor (a child, so the listener knows what is open). It accepts only
 * while fewer than {@code max-negotiating} connections are between accept and bind: in a login
 * storm beyond what the node can do, the others queue in the kernel rather than every login
 * slowing down until all time out.
 */
public final class C2sListener extends AbstractBehavior<C2sListener.Command> {

    public sealed interface Command extends NoSerializationVerificationNeeded {
    }

    /** The port is bound (port is the actual one), or binding failed. */
    public record BindResult(int port, Throwable failure) implements NoSerializationVerificationNeeded {
    }

    record Accepted(Tcp.IncomingConnection connection, ActorRef<Done> admitted) implements Command {
    }

    record Bound(Tcp.ServerBinding binding, Throwable failure) implements Command {
    }

    record Closed(ActorRef<ConnectionMessage> connection, InetSocketAddress remote) implements Command {
    }

    /** Stops accepting connections. */
    public record Unbind(ActorRef<Done> replyTo) implements Command {
    }

    /** Closes every open connection with system-shutdown. */
    public record CloseAll(ActorRef<Done> replyTo) implements Command {
    }

    /** How many connections are open. */
    public record Count(ActorRef<Integer> replyTo) implements Command {
    }

    /** A connection bound its resource. */
    record SessionBound(C2sConnection.SessionBound bound) implements Command {
    }

    /** The bound sessions of this listener. */
    public record ListSessions(ActorRef<java.util.List<io.parley.protocol.jid.Jid>> replyTo) implements Command {
    }

    public static Behavior<Command> create(Services services, int port, boolean directTls, ActorRef<BindResult> replyTo) {
        return Behaviors.setup(ctx -> new C2sListener(ctx, services, port, directTls, replyTo));
    }

    private final Services services;
    private final boolean directTls;
    private final ActorRef<BindResult> replyTo;
    private final Map<String, Integer> perAddress = new HashMap<>();
    /** Refusals since the last warning, and when that warning was logged (at most one per 10 s). */
    private long refusedSinceWarning;
    private long lastRefusalWarningNanos = System.nanoTime() - REFUSAL_WARNING_EVERY_NANOS;
    private static final long REFUSAL_WARNING_EVERY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private final Map<ActorRef<ConnectionMessage>, InetSocketAddress> open = new HashMap<>();
    private final Map<ActorRef<ConnectionMessage>, io.parley.protocol.jid.Jid> bound = new HashMap<>();
    private Tcp.ServerBinding binding;
    /** Accepted connections that have not bound a resource yet: the expensive part (TLS, SASL, recovery). */
    private final java.util.Set<ActorRef<ConnectionMessage>> negotiating = new java.util.HashSet<>();
    /** Accepts waiting for a negotiation slot; the accept stream is backpressured meanwhile. */
    private final java.util.ArrayDeque<ActorRef<Done>> waiting = new java.util.ArrayDeque<>();

    /** Where this listener's connections say that their session is bound. */
    private final ActorRef<C2sConnection.SessionBound> sessionBound;

    private C2sListener(ActorContext<Command> ctx, Services services, int port, boolean directTls, ActorRef<BindResult> replyTo) {
        super(ctx);
        this.sessionBound = ctx.messageAdapter(C2sConnection.SessionBound.class, SessionBound::new);
        this.services = services;
        this.directTls = directTls;
        this.replyTo = replyTo;
        ActorRef<Command> self = ctx.getSelf();
        CompletionStage<Tcp.ServerBinding> bound = Tcp.get(ctx.getSystem())
                .bind(services.settings().c2s().iface(), Math.max(0, port), 1024,
                        java.util.List.<akka.io.Inet.SocketOption>of(), false, java.util.Optional.empty())
                // one accept at a time, each admitted by the listener: over max-negotiating,
                // new clients wait in the kernel's accept queue instead of all slowing down
                .mapAsync(1, c -> akka.actor.typed.javadsl.AskPattern.<Command, Done>ask(self, r -> new Accepted(c, r),
                        java.time.Duration.ofDays(1), ctx.getSystem().scheduler()))
                .to(Sink.ignore())
                .run(ctx.getSystem());
        ctx.pipeToSelf(bound, Bound::new);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Bound.class, this::onBound)
                .onMessage(Accepted.class, this::onAccepted)
                .onMessage(Closed.class, this::onClosed)
                .onMessage(Unbind.class, this::onUnbind)
                .onMessage(CloseAll.class, this::onCloseAll)
                .onMessage(Count.class, m -> {
                    m.replyTo().tell(open.size());
                    return this;
                })
                .onMessage(SessionBound.class, m -> {
                    if (open.containsKey(m.bound().connection())) {
                        bound.put(m.bound().connection(), m.bound().jid());
                    }
                    negotiated(m.bound().connection());
                    return this;
                })
                .onMessage(ListSessions.class, m -> {
                    m.replyTo().tell(java.util.List.copyOf(bound.values()));
                    return this;
                })
                .build();
    }

    private Behavior<Command> onBound(Bound m) {
        if (m.failure() != null) {
            replyTo.tell(new BindResult(-1, m.failure()));
            return Behaviors.stopped();
        }
        binding = m.binding();
        replyTo.tell(new BindResult(binding.localAddress().getPort(), null));
        return this;
    }

    private Behavior<Command> onAccepted(Accepted m) {
        accept(m);
        if (negotiating.size() < services.settings().c2s().maxNegotiating()) {
            m.admitted().tell(Done.getInstance());
        } else {
            waiting.add(m.admitted());
        }
        return this;
    }

    private void negotiated(ActorRef<ConnectionMessage> connection) {
        if (negotiating.remove(connection)) {
            ActorRef<Done> next = waiting.poll();
            if (next != null) {
                next.tell(Done.getInstance());
            }
        }
    }

    private void accept(Accepted m) {
        InetSocketAddress remote = m.connection().remoteAddress();
        String address = remote.getAddress().getHostAddress();
        var limits = services.settings().c2s();
        int fromAddress = perAddress.getOrDefault(address, 0);
        if (open.size() >= limits.maxConnections() || fromAddress >= limits.maxConnectionsPerAddress()) {
            m.connection().handleWith(io.parley.engine.c2s.C2sConnection.refusal(services.domain().toString(),
                    "too many connections"), getContext().getSystem());
            warnRefused(address, fromAddress, limits.maxConnectionsPerAddress(), limits.maxConnections());
            return;
        }
        ActorRef<ConnectionMessage> conn = getContext().spawnAnonymous(
                C2sConnection.create(services, remote, directTls, sessionBound));
        getContext().watchWith(conn, new Closed(conn, remote));
        open.put(conn, remote);
        negotiating.add(conn);
        perAddress.merge(address, 1, Integer::sum);
        C2sConnection.attach(conn, m.connection(), services, directTls, getContext().getSystem());
    }

    /**
     * An operator must be able to see that clients are being turned away, but a flood of refusals
     * must not become a flood of log lines: the first is logged, then at most one line per 10 s with
     * the count since the last.
     */
    private void warnRefused(String address, int fromAddress, int perAddressLimit, int limit) {
        refusedSinceWarning++;
        long now = System.nanoTime();
        if (now - lastRefusalWarningNanos >= REFUSAL_WARNING_EVERY_NANOS) {
            getContext().getLog().warn("refused {} client connection(s) since the last such warning; the latest from {} "
                            + "({} open from it, max-connections-per-address {}; {} open in all, max-connections {})",
                    refusedSinceWarning, address, fromAddress, perAddressLimit, open.size(), limit);
            refusedSinceWarning = 0;
            lastRefusalWarningNanos = now;
        }
    }

    private Behavior<Command> onClosed(Closed m) {
        open.remove(m.connection());
        if (open.isEmpty() && closingAll != null) {
            closingAll.tell(Done.getInstance());
            closingAll = null;
        }
        bound.remove(m.connection());
        negotiated(m.connection());
        perAddress.computeIfPresent(m.remote().getAddress().getHostAddress(), (k, v) -> v <= 1 ? null : v - 1);
        return this;
    }

    private Behavior<Command> onUnbind(Unbind m) {
        if (binding == null) {
            m.replyTo().tell(Done.getInstance());
            return this;
        }
        getContext().pipeToSelf(binding.unbind(), (d, ex) -> new Count(getContext().getSystem().ignoreRef()));
        m.replyTo().tell(Done.getInstance());
        return this;
    }

    /** Who waits for every connection to close (the node's shutdown), or null. */
    private ActorRef<Done> closingAll;

    /**
     * Every connection closes with system-shutdown (a bound one first lets its user entity release
     * it, so nothing on its way is lost); the reply comes when all have closed, or after 5 s.
     */
    private Behavior<Command> onCloseAll(CloseAll m) {
        if (open.isEmpty()) {
            m.replyTo().tell(Done.getInstance());
            return this;
        }
        closingAll = m.replyTo();
        for (ActorRef<ConnectionMessage> conn : open.keySet()) {
            conn.tell(new ToClient.Kick(StreamErrorCondition.SYSTEM_SHUTDOWN, "the server is shutting down"));
        }
        getContext().scheduleOnce(java.time.Duration.ofSeconds(5), m.replyTo(), Done.getInstance());
        return this;
    }
}
