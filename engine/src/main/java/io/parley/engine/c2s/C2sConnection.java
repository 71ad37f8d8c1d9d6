package io.parley.engine.c2s;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import io.parley.engine.ext.Services;
import io.parley.engine.config.ParleySettings;
import io.parley.engine.ext.IqHandler;
import io.parley.engine.ext.IqReply;
import io.parley.engine.ext.IqRequest;
import io.parley.engine.ext.SessionContext;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.ToClient;
import io.parley.engine.session.UserEntity;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.sasl.SaslStep;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaError;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.stream.OutboundFrame;
import io.parley.protocol.stream.StreamError;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.stream.StreamFrame;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One client connection (RFC 6120): a local actor driving the stream stages of
 * {@link C2sPipeline}. It negotiates in explicit phases (stream header, STARTTLS, SASL or
 * in-band registration, stream restart, resource binding) and then hands stanzas to its
 * {@link EstablishedSession}. Every protocol violation ends the stream with the RFC's stream
 * error. Reading is paced: each inbound frame is acknowledged only when the per-connection
 * stanza rate allows, so a flooding client is slowed by TCP backpressure.
 */
public final class C2sConnection extends AbstractBehavior<ConnectionMessage> implements SessionContext {

    // ---- local messages -------------------------------------------------------------------------

    /** Local-only messages (stream plumbing, timers, results of asynchronous work). */
    interface Local extends ConnectionMessage, NoSerializationVerificationNeeded {
    }

    enum Ack implements NoSerializationVerificationNeeded { INSTANCE }

    record Attached(Out out) implements Local {
    }

    record StreamStarted(ActorRef<Ack> ackTo) implements Local {
    }

    record Inbound(StreamFrame frame, ActorRef<Ack> ackTo) implements Local {
    }

    enum StreamEnded implements Local { INSTANCE }

    record StreamFailed(Throwable cause) implements Local {
    }

    record SaslStepped(SaslStep step) implements Local {
    }

    record Bound(UserEntity.BindReply reply, String iqId, Throwable failure) implements Local {
    }

    /** The user entity this session is bound to stopped (moved to another node, or its node is gone). */
    enum UserEntityGone implements Local { INSTANCE }

    record Reattached(UserEntity.BindReply reply, Throwable failure) implements Local {
    }

    record IqAnswered(IqReply reply, XmlElement request, Throwable failure) implements Local {
    }

    /** Work to do on the actor's thread once something asynchronous completed. */
    record Apply(Runnable action) implements Local {
    }

    enum Timer implements Local { NEGOTIATION_TIMEOUT, RESUME_READING, PING_TICK, PING_TIMEOUT, KEEPALIVE_TICK, STOP }

    enum Phase { WAIT_ATTACH, WAIT_HEADER, NEGOTIATING, AUTHENTICATING, BINDING, ESTABLISHED, CLOSED }

    private static final SecureRandom RANDOM = new SecureRandom();
    static final int MAX_PENDING_IQS = 64;

    /** What a connection tells whoever accepted it once its session is bound (the listener lists the sessions). */
    public record SessionBound(ActorRef<ConnectionMessage> connection, Jid jid) {
    }

    /** @param bound told once the session is bound */
    public static Behavior<ConnectionMessage> create(Services services, InetSocketAddress remote, boolean directTls,
                                                     ActorRef<SessionBound> bound) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new C2sConnection(ctx, timers, services, remote, directTls, bound)));
    }

    /** Materialises the stream stages for an accepted socket and hands them to the connection actor. */
    public static void attach(ActorRef<ConnectionMessage> connection, akka.stream.javadsl.Tcp.IncomingConnection tcp,
                              Services services, boolean directTls, akka.actor.typed.ActorSystem<?> system) {
        ParleySettings.C2s s = services.settings().c2s();
        Out out = tcp.handleWith(C2sPipeline.flow(connection, s.limits(), services.tls(), directTls, s.sendQueue()), system);
        connection.tell(new Attached(out));
    }

    /** The flow for a refused connection: a stream header, policy-violation, close. */
    public static akka.stream.javadsl.Flow<akka.util.ByteString, akka.util.ByteString, akka.NotUsed> refusal(String domain, String reason) {
        return C2sPipeline.refuse(domain, reason);
    }

    // ---- state ----------------------------------------------------------------------------------

    final TimerScheduler<ConnectionMessage> timers;
    final Services services;
    final ParleySettings.C2s settings;
    private final InetSocketAddress remote;
    private final Map<SessionContext.Key<?>, Object> attributes = new HashMap<>();
    private final RateLimiter rate;

    Phase phase = Phase.WAIT_ATTACH;
    private Out out;
    private ActorRef<Ack> pendingAck;
    boolean secure;
    private boolean headerSent;
    private final Negotiation negotiation = new Negotiation(this);
    private Jid jid;
    private EstablishedSession session;
    private int pendingIqs;
    private long lastInbound = System.nanoTime();
    private long lastOutbound = System.nanoTime();
    private String pingId;

    private final ActorRef<SessionBound> bound;

    private C2sConnection(ActorContext<ConnectionMessage> ctx, TimerScheduler<ConnectionMessage> timers, Services services,
                          InetSocketAddress remote, boolean directTls, ActorRef<SessionBound> bound) {
        super(ctx);
        this.bound = bound;
        this.timers = timers;
        this.services = services;
        this.settings = services.settings().c2s();
        this.remote = remote;
        this.secure = directTls;
        this.rate = new RateLimiter(settings.maxStanzasPerSecond(), settings.stanzaBurst());
        timers.startSingleTimer(Timer.NEGOTIATION_TIMEOUT, Timer.NEGOTIATION_TIMEOUT, settings.negotiationTimeout());
    }

    /** One dispatching case rather than a builder case per message type: this object exists per connection. */
    @Override
    public Receive<ConnectionMessage> createReceive() {
        return newReceiveBuilder()
                .onMessage(ConnectionMessage.class, this::dispatch)
                .onSignal(PostStop.class, s -> onStop())
                .build();
    }

    private Behavior<ConnectionMessage> dispatch(ConnectionMessage m) {
        if (m instanceof Inbound i) {
            return onInbound(i);
        } else if (m instanceof ToClient.Deliver d) {
            return onDeliver(d);
        } else if (m instanceof IqAnswered a) {
            return onIqAnswered(a);
        } else if (m instanceof Timer t) {
            return onTimer(t);
        } else if (m instanceof Apply a) {
            a.action().run();
            return this;
        } else if (m instanceof Attached a) {
            return onAttached(a);
        } else if (m instanceof StreamStarted st) {
            return onStreamStarted(st);
        } else if (m instanceof StreamEnded) {
            return Behaviors.stopped();
        } else if (m instanceof StreamFailed f) {
            return onStreamFailed(f);
        } else if (m instanceof SaslStepped st) {
            return negotiation.onSaslStep(st.step());
        } else if (m instanceof Bound b) {
            return onBound(b);
        } else if (m instanceof UserEntityGone) {
            if (phase == Phase.ESTABLISHED && detaching == null) {
                session.userEntityGone();
            }
            return this;
        } else if (m instanceof Reattached r) {
            return phase == Phase.ESTABLISHED ? session.reattached(r) : this;
        } else if (m instanceof ToClient.Kick k) {
            return onKick(k);
        } else if (m instanceof ToClient.Detached) {
            return detaching != null ? streamError(detaching.condition(), detaching.text()) : this;
        } else if (m instanceof ToClient.Signal s) {
            if (!services.registry().signal(this, s)) {
                getContext().getLog().debug("no feature handles {}", s.getClass().getName());
            }
            return this;
        }
        return Behaviors.unhandled();
    }

    // ---- SessionContext -------------------------------------------------------------------------

    @Override
    public Jid jid() {
        return jid;
    }

    @Override
    public String remoteAddress() {
        return remote.getAddress().getHostAddress();
    }

    @Override
    public boolean secure() {
        return secure;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get(SessionContext.Key<T> key) {
        return (T) attributes.get(key);
    }

    @Override
    public <T> void put(SessionContext.Key<T> key, T value) {
        attributes.put(key, value);
    }

    @Override
    public ActorRef<ConnectionMessage> self() {
        return getContext().getSelf();
    }

    @Override
    public Services services() {
        return services;
    }

    /** A stanza for the client: through the session's outbound hooks once it is established. */
    @Override
    public void send(XmlElement stanza) {
        if (phase == Phase.ESTABLISHED) {
            session.deliver(stanza);
        } else {
            write(stanza);
        }
    }

    @Override
    public void flag(String flag) {
        if (session != null) {
            session.flag(flag);
        }
    }

    @Override
    public boolean hasFlag(String flag) {
        return session != null && session.hasFlag(flag);
    }

    @Override
    public <T> void whenDone(CompletionStage<T> stage, java.util.function.BiConsumer<T, Throwable> then) {
        getContext().pipeToSelf(stage, (v, ex) -> new Apply(() -> then.accept(v, ex)));
    }

    @Override
    public void watch(ActorRef<?> actor, Runnable onStop) {
        getContext().watchWith(actor, new Apply(onStop));
    }

    @Override
    public void unwatch(ActorRef<?> actor) {
        getContext().unwatch(actor);
    }

    @Override
    public boolean closing() {
        return phase != Phase.ESTABLISHED || detaching != null
                || akka.actor.CoordinatedShutdown.get(getContext().getSystem()).getShutdownReason().isPresent();
    }

    // ---- the stream plumbing --------------------------------------------------------------------

    private Behavior<ConnectionMessage> onAttached(Attached m) {
        out = m.out();
        phase = Phase.WAIT_HEADER;
        ackIfStarted();
        return this;
    }

    private Behavior<ConnectionMessage> onStreamStarted(StreamStarted m) {
        pendingAck = m.ackTo();
        ackIfStarted();
        return this;
    }

    private void ackIfStarted() {
        if (out != null && pendingAck != null && !timers.isTimerActive(Timer.RESUME_READING)) {
            pendingAck.tell(Ack.INSTANCE);
            pendingAck = null;
        }
    }

    private Behavior<ConnectionMessage> onStreamFailed(StreamFailed m) {
        getContext().getLog().debug("connection from {} failed: {}", remote, m.cause().toString());
        return Behaviors.stopped();
    }

    private Behavior<ConnectionMessage> onInbound(Inbound m) {
        lastInbound = System.nanoTime();
        pendingAck = m.ackTo();
        Behavior<ConnectionMessage> next = onFrame(m.frame());
        if (phase != Phase.CLOSED) {
            long waitNanos = phase == Phase.ESTABLISHED ? rate.take(System.nanoTime()) : 0;
            if (waitNanos > 0) {
                timers.startSingleTimer(Timer.RESUME_READING, Timer.RESUME_READING, Duration.ofNanos(waitNanos));
            } else {
                ackIfStarted();
            }
        }
        return next;
    }

    private Behavior<ConnectionMessage> onFrame(StreamFrame frame) {
        if (getContext().getLog().isDebugEnabled()) {
            getContext().getLog().debug("{} in  {} {}", remote, phase, frame);
        }
        if (phase == Phase.CLOSED) {
            return this;
        }
        if (frame instanceof StreamFrame.Fault f) {
            return streamError(f.condition(), f.text());
        }
        if (frame == StreamFrame.Close.INSTANCE) {
            return closeGracefully();
        }
        if (frame instanceof StreamFrame.Open open) {
            return negotiation.onStreamOpen(open);
        }
        XmlElement e = ((StreamFrame.Element) frame).element();
        return switch (phase) {
            case WAIT_HEADER -> streamError(StreamErrorCondition.NOT_WELL_FORMED, "expected a stream header");
            case NEGOTIATING -> negotiation.onNegotiation(e);
            case AUTHENTICATING -> negotiation.onAuthenticating(e);
            case BINDING -> negotiation.onBinding(e);
            case ESTABLISHED -> session.onElement(e);
            default -> this;
        };
    }

    void write(XmlElement e) {
        if (getContext().getLog().isDebugEnabled()) {
            getContext().getLog().debug("{} out {} {}", remote, phase, e);
        }
        if (out != null && phase != Phase.CLOSED) {
            lastOutbound = System.nanoTime();
            out.send(new OutboundFrame.Element(e));
        }
    }

    void sendFrame(OutboundFrame f) {
        if (out != null) {
            lastOutbound = System.nanoTime();
            out.send(f);
        }
    }

    // ---- stream header and features -------------------------------------------------------------

    void sendHeader(String clientFrom) {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        XmlElement.Builder h = XmlElement.builder("stream", Namespaces.STREAMS)
                .attr("from", services.domain().toString())
                .attr("id", Base64.getUrlEncoder().withoutPadding().encodeToString(id))
                .attr("version", "1.0")
                .attr(Namespaces.XML, "lang", "en");
        Jid from = clientFrom == null ? null : Jid.ofOrNull(clientFrom);
        if (from != null) {
            h.attr("to", from.toString());
        }
        sendFrame(new OutboundFrame.Open(h.build(), Namespaces.CLIENT));
        headerSent = true;
    }

    /** The system-shutdown this connection closes with once its user entity has let it go. */
    private ToClient.Kick detaching;

    /**
     * A node that stops closes its streams with system-shutdown; a bound session first asks its
     * user entity to let it go and closes once the entity confirms (or after 3 s), so messages
     * already on their way reach the client instead of a closed connection.
     */
    private Behavior<ConnectionMessage> onKick(ToClient.Kick k) {
        if (k.condition() != StreamErrorCondition.SYSTEM_SHUTDOWN || phase != Phase.ESTABLISHED || session == null
                || detaching != null) {
            return streamError(k.condition(), k.text());
        }
        detaching = k;
        services.registry().sessionShuttingDown(this);
        services.tellUser(jid.bare(), new UserEntity.Detach(jid.resource(), getContext().getSelf()));
        timers.startSingleTimer(ToClient.Detached.INSTANCE, ToClient.Detached.INSTANCE, java.time.Duration.ofSeconds(3));
        return this;
    }

    private Behavior<ConnectionMessage> onBound(Bound m) {
        if (phase != Phase.BINDING) {
            return this;
        }
        Iq.Builder err = Iq.builder(Iq.Type.ERROR).id(m.iqId());
        if (m.failure() != null || m.reply().error() != null) {
            StanzaErrorCondition c = m.failure() != null ? StanzaErrorCondition.INTERNAL_SERVER_ERROR : m.reply().error();
            write(err.child(StanzaError.of(c).toElement(Namespaces.CLIENT)).build().element());
            if (c == StanzaErrorCondition.NOT_AUTHORIZED) {
                return streamError(StreamErrorCondition.NOT_AUTHORIZED, "the account no longer exists");
            }
            return this;
        }
        jid = Jid.of(negotiation.authUser(), services.domain().domain(), m.reply().resource());
        write(Iq.builder(Iq.Type.RESULT).id(m.iqId()).child(XmlElement.builder("bind", Namespaces.BIND)
                .textElement("jid", Namespaces.BIND, jid.toString()).build()).build().element());
        phase = Phase.ESTABLISHED;
        bound.tell(new SessionBound(getContext().getSelf(), jid));
        session = new EstablishedSession(this, jid);
        session.watchUserEntity(m.reply().entity());
        timers.cancel(Timer.NEGOTIATION_TIMEOUT);
        if (!settings.pingInterval().isZero()) {
            timers.startTimerWithFixedDelay(Timer.PING_TICK, Timer.PING_TICK, settings.pingInterval().dividedBy(2));
        }
        if (!settings.whitespaceKeepalive().isZero()) {
            timers.startTimerWithFixedDelay(Timer.KEEPALIVE_TICK, Timer.KEEPALIVE_TICK, settings.whitespaceKeepalive().dividedBy(2));
        }
        services.registry().sessionStarted(this);
        return this;
    }

    // ---- IQ dispatch (shared with the established session) --------------------------------------

    Behavior<ConnectionMessage> dispatchIq(IqHandler handler, IqRequest request) {
        if (pendingIqs >= MAX_PENDING_IQS) {
            send(request.iq().errorReply(StanzaError.of(StanzaErrorCondition.RESOURCE_CONSTRAINT, "too many requests in flight")));
            return this;
        }
        pendingIqs++;
        CompletionStage<IqReply> reply;
        try {
            reply = handler.handle(request);
        } catch (RuntimeException ex) {
            reply = CompletableFuture.failedFuture(ex);
        }
        getContext().pipeToSelf(reply, (r, ex) -> new IqAnswered(r, request.iq().element(), ex));
        return this;
    }

    private Behavior<ConnectionMessage> onIqAnswered(IqAnswered m) {
        pendingIqs--;
        if (m.failure() != null) {
            getContext().getLog().warn("IQ handler failed for {}: {}", m.request().name(), m.failure().toString());
            send(Iq.of(m.request()).errorReply(StanzaErrorCondition.INTERNAL_SERVER_ERROR));
            return this;
        }
        send(m.reply().stanza());
        m.reply().followUps().forEach(this::send);
        return m.reply().closeStream() ? closeGracefully() : this;
    }

    // ---- from the rest of the server ------------------------------------------------------------

    private Behavior<ConnectionMessage> onDeliver(ToClient.Deliver m) {
        if (phase == Phase.ESTABLISHED) {
            session.deliver(m.stanza());
        }
        return this;
    }

    void pongReceived(String id) {
        if (id != null && id.equals(pingId)) {
            pingId = null;
            timers.cancel(Timer.PING_TIMEOUT);
        }
    }

    private Behavior<ConnectionMessage> onTimer(Timer t) {
        switch (t) {
            case NEGOTIATION_TIMEOUT -> {
                return streamError(StreamErrorCondition.CONNECTION_TIMEOUT, "negotiation took too long");
            }
            case RESUME_READING -> ackIfStarted();
            case PING_TICK -> {
                long silent = System.nanoTime() - lastInbound;
                if (pingId == null && silent >= settings.pingInterval().toNanos()) {
                    pingId = "ping-" + Long.toHexString(RANDOM.nextLong());
                    send(Iq.builder(Iq.Type.GET).id(pingId).from(services.domain()).to(jid)
                            .child(XmlElement.of("ping", Namespaces.PING)).build().element());
                    timers.startSingleTimer(Timer.PING_TIMEOUT, Timer.PING_TIMEOUT, settings.pingTimeout());
                }
            }
            case PING_TIMEOUT -> {
                return streamError(StreamErrorCondition.CONNECTION_TIMEOUT, "no answer to ping");
            }
            case KEEPALIVE_TICK -> {
                if (System.nanoTime() - lastOutbound >= settings.whitespaceKeepalive().toNanos()) {
                    sendFrame(OutboundFrame.Whitespace.INSTANCE);
                }
            }
            case STOP -> {
                return Behaviors.stopped();
            }
            default -> {
            }
        }
        return this;
    }

    // ---- closing --------------------------------------------------------------------------------

    /** Ends the stream with a stream error (RFC 6120 4.9): a header first if none was sent yet. */
    Behavior<ConnectionMessage> streamError(StreamErrorCondition condition, String text) {
        if (phase == Phase.CLOSED || out == null) {
            return phase == Phase.CLOSED ? this : Behaviors.stopped();
        }
        if (!headerSent) {
            sendHeader(null);
        }
        write(StreamError.of(condition, text).toElement());
        return close();
    }

    /** Answers the client's closing tag (or closes ours first) and ends the connection. */
    Behavior<ConnectionMessage> closeGracefully() {
        if (phase == Phase.CLOSED) {
            return this;
        }
        if (!headerSent) {
            sendHeader(null);
        }
        return close();
    }

    Behavior<ConnectionMessage> close() {
        if (session != null) {
            session.end();
        }
        sendFrame(OutboundFrame.Close.INSTANCE);
        if (out != null) {
            out.done();
        }
        phase = Phase.CLOSED;
        timers.cancelAll();
        // the transport closes once the outbound side is written; stop regardless after a grace period
        timers.startSingleTimer(Timer.STOP, Timer.STOP, Duration.ofSeconds(10));
        if (pendingAck != null) {
            pendingAck.tell(Ack.INSTANCE);
            pendingAck = null;
        }
        return this;
    }

    private Behavior<ConnectionMessage> onStop() {
        if (session != null) {
            session.end();
        }
        return this;
    }
}
