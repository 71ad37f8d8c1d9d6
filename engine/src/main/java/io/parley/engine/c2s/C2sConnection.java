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
import io.parley.engine.ext.IqTarget;
import io.parley.engine.ext.SessionContext;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.ToClient;
import io.parley.engine.session.UserEntity;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.jid.JidFormatException;
import io.parley.protocol.sasl.SaslFailure;
import io.parley.protocol.sasl.SaslMechanism;
import io.parley.protocol.sasl.SaslServer;
import io.parley.protocol.sasl.SaslStep;
import io.parley.protocol.sasl.StoredCredentials;
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
import java.util.Iterator;
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

    /** A Multi-User Chat room this session is in stopped (it moved, or its node died). */
    record RoomGone(ActorRef<?> room) implements Local {
    }

    /** Work to do on the actor's thread once something asynchronous completed. */
    record Apply(Runnable action) implements Local {
    }

    enum Timer implements Local { NEGOTIATION_TIMEOUT, RESUME_READING, PING_TICK, PING_TIMEOUT, KEEPALIVE_TICK, STOP }

    private enum Phase { WAIT_ATTACH, WAIT_HEADER, NEGOTIATING, AUTHENTICATING, BINDING, ESTABLISHED, CLOSED }

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

    private final TimerScheduler<ConnectionMessage> timers;
    private final Services services;
    private final ParleySettings.C2s settings;
    private final InetSocketAddress remote;
    private final Map<SessionContext.Key<?>, Object> attributes = new HashMap<>();
    private final RateLimiter rate;

    private Phase phase = Phase.WAIT_ATTACH;
    private Out out;
    private ActorRef<Ack> pendingAck;
    private boolean secure;
    private boolean authenticated;
    private boolean headerSent;
    private SaslServer sasl;
    private int authFailures;
    private String authUser;
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
            return onSaslStep(st.step());
        } else if (m instanceof Bound b) {
            return onBound(b);
        } else if (m instanceof UserEntityGone) {
            return onUserEntityGone();
        } else if (m instanceof Reattached r) {
            return onReattached(r);
        } else if (m instanceof ToClient.Kick k) {
            return onKick(k);
        } else if (m instanceof ToClient.Detached) {
            return detaching != null ? streamError(detaching.condition(), detaching.text()) : this;
        } else if (m instanceof ToClient.BlocklistChanged b) {
            return onBlocklistChanged(b);
        } else if (m instanceof ToClient.InRoom r) {
            return onInRoom(r);
        } else if (m instanceof ToClient.OutOfRoom r) {
            return onOutOfRoom(r);
        } else if (m instanceof RoomGone g) {
            return onRoomGone(g);
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

    ActorRef<ConnectionMessage> self() {
        return getContext().getSelf();
    }

    Services services() {
        return services;
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
            return onStreamOpen(open);
        }
        XmlElement e = ((StreamFrame.Element) frame).element();
        return switch (phase) {
            case WAIT_HEADER -> streamError(StreamErrorCondition.NOT_WELL_FORMED, "expected a stream header");
            case NEGOTIATING -> onNegotiation(e);
            case AUTHENTICATING -> onAuthenticating(e);
            case BINDING -> onBinding(e);
            case ESTABLISHED -> session.onElement(e);
            default -> this;
        };
    }

    void send(XmlElement e) {
        if (getContext().getLog().isDebugEnabled()) {
            getContext().getLog().debug("{} out {} {}", remote, phase, e);
        }
        if (out != null && phase != Phase.CLOSED) {
            lastOutbound = System.nanoTime();
            out.send(new OutboundFrame.Element(e));
        }
    }

    private void sendFrame(OutboundFrame f) {
        if (out != null) {
            lastOutbound = System.nanoTime();
            out.send(f);
        }
    }

    // ---- stream header and features -------------------------------------------------------------

    private Behavior<ConnectionMessage> onStreamOpen(StreamFrame.Open open) {
        if (phase != Phase.WAIT_HEADER) {
            return streamError(StreamErrorCondition.NOT_WELL_FORMED, "unexpected stream header");
        }
        if (!open.contentNamespace().equals(Namespaces.CLIENT)) {
            return streamError(StreamErrorCondition.INVALID_NAMESPACE, "the content namespace must be jabber:client");
        }
        String to = open.attr("to");
        if (to != null) {
            Jid target = Jid.ofOrNull(to);
            if (target == null || !target.equals(services.domain())) {
                return streamError(StreamErrorCondition.HOST_UNKNOWN, "this server does not host " + to);
            }
        }
        String version = open.attr("version");
        if (version == null || !version.startsWith("1.")) {
            return streamError(StreamErrorCondition.UNSUPPORTED_VERSION, "XMPP 1.0 streams only");
        }
        sendHeader(open.attr("from"));
        if (authenticated) {
            send(StreamFeatures.afterAuth(services.registry()));
            phase = Phase.BINDING;
        } else {
            send(StreamFeatures.beforeAuth(secure, settings.requireStarttls(), services.settings().registration().enabled(),
                    services.registry()));
            phase = Phase.NEGOTIATING;
        }
        return this;
    }

    private void sendHeader(String clientFrom) {
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

    // ---- negotiation: STARTTLS, SASL, registration ----------------------------------------------

    private Behavior<ConnectionMessage> onNegotiation(XmlElement e) {
        if (e.is("starttls", Namespaces.TLS)) {
            if (secure) {
                send(XmlElement.of("failure", Namespaces.TLS));
                return close();
            }
            // arm TLS before <proceed/> leaves; the client's next bytes are its TLS handshake
            sendFrame(OutboundFrame.ResetParser.INSTANCE);
            sendFrame(OutboundFrame.StartTls.INSTANCE);
            send(XmlElement.of("proceed", Namespaces.TLS));
            secure = true;
            phase = Phase.WAIT_HEADER;
            return this;
        }
        if (e.is("auth", Namespaces.SASL)) {
            return onAuth(e);
        }
        if (e.is("iq", Namespaces.CLIENT) && !secure && settings.requireStarttls()) {
            return streamError(StreamErrorCondition.POLICY_VIOLATION, "STARTTLS is required first");
        }
        if (e.is("iq", Namespaces.CLIENT)) {
            return onPreAuthIq(e);
        }
        return streamError(StreamErrorCondition.NOT_AUTHORIZED, "authenticate first");
    }

    private Behavior<ConnectionMessage> onAuth(XmlElement auth) {
        if (!secure && settings.requireStarttls()) {
            return saslFailure(SaslFailure.ENCRYPTION_REQUIRED, null);
        }
        SaslMechanism m = SaslMechanism.fromName(auth.attr("mechanism"));
        if (!StreamFeatures.offered(m, secure)) {
            return saslFailure(SaslFailure.INVALID_MECHANISM, null);
        }
        byte[] initial;
        try {
            initial = decodeSasl(auth.text(), true);
        } catch (IllegalArgumentException ex) {
            return saslFailure(SaslFailure.INCORRECT_ENCODING, null);
        }
        sasl = SaslServer.create(m);
        phase = Phase.AUTHENTICATING;
        return onSaslStep(sasl.respond(initial));
    }

    private Behavior<ConnectionMessage> onAuthenticating(XmlElement e) {
        if (e.is("abort", Namespaces.SASL)) {
            return saslFailure(SaslFailure.ABORTED, null);
        }
        if (!e.is("response", Namespaces.SASL) || sasl == null) {
            return streamError(StreamErrorCondition.NOT_AUTHORIZED, "a SASL exchange is in progress");
        }
        try {
            return onSaslStep(sasl.respond(decodeSasl(e.text(), false)));
        } catch (IllegalArgumentException ex) {
            return saslFailure(SaslFailure.INCORRECT_ENCODING, null);
        }
    }

    /** SASL data: "=" is an empty message; no text at all is no initial response. */
    private static byte[] decodeSasl(String text, boolean initial) {
        String t = text.trim();
        if (t.isEmpty()) {
            return initial ? null : new byte[0];
        }
        return t.equals("=") ? new byte[0] : Base64.getDecoder().decode(t);
    }

    private Behavior<ConnectionMessage> onSaslStep(SaslStep step) {
        if (phase != Phase.AUTHENTICATING) {
            return this;
        }
        if (step instanceof SaslStep.Challenge c) {
            send(XmlElement.builder("challenge", Namespaces.SASL).text(encodeSasl(c.data())).build());
        } else if (step instanceof SaslStep.NeedCredentials n) {
            authUser = n.username();
            SaslServer exchange = sasl;
            Jid account;
            try {
                account = Jid.of(n.username(), services.domain().domain(), null);
            } catch (JidFormatException ex) {
                return saslFailure(SaslFailure.NOT_AUTHORIZED, null);
            }
            CompletionStage<SaslStep> next = services.<UserEntity.Credentials>askUser(account, UserEntity.GetCredentials::new)
                    .thenApplyAsync(c -> exchange.credentials(c.credentials()), services.blockingExecutor());
            getContext().pipeToSelf(next, (s, ex) -> new SaslStepped(ex == null ? s
                    : SaslStep.Failure.of(SaslFailure.TEMPORARY_AUTH_FAILURE, "the account store did not answer")));
        } else if (step instanceof SaslStep.Success s) {
            if (s.authzid() != null && !s.authzid().equals(s.username() + "@" + services.domain())) {
                return saslFailure(SaslFailure.INVALID_AUTHZID, null);
            }
            authUser = s.username();
            authenticated = true;
            sasl = null;
            sendFrame(OutboundFrame.ResetParser.INSTANCE);
            send(XmlElement.builder("success", Namespaces.SASL)
                    .text(s.additionalData() == null ? null : Base64.getEncoder().encodeToString(s.additionalData())).build());
            phase = Phase.WAIT_HEADER;
        } else if (step instanceof SaslStep.Failure f) {
            return saslFailure(f.condition(), f.text());
        }
        return this;
    }

    private static String encodeSasl(byte[] data) {
        return data.length == 0 ? "=" : Base64.getEncoder().encodeToString(data);
    }

    private Behavior<ConnectionMessage> saslFailure(SaslFailure condition, String text) {
        sasl = null;
        authFailures++;
        send(XmlElement.builder("failure", Namespaces.SASL).child(XmlElement.of(condition.elementName(), Namespaces.SASL))
                .child(text == null ? null : XmlElement.builder("text", Namespaces.SASL).text(text).build()).build());
        if (authFailures >= settings.maxAuthFailures()) {
            return streamError(StreamErrorCondition.POLICY_VIOLATION, "too many failed authentication attempts");
        }
        phase = Phase.NEGOTIATING;
        return this;
    }

    /** Before authentication only in-band registration (XEP-0077) is served. */
    private Behavior<ConnectionMessage> onPreAuthIq(XmlElement e) {
        Iq iq = Iq.of(e);
        XmlElement payload = iq.payload();
        IqHandler handler = !iq.isWellFormed() || !iq.isRequest() || payload == null ? null
                : services.registry().handler(IqTarget.UNAUTHENTICATED, iq.type(), payload.namespace(), payload.name());
        if (handler == null) {
            return streamError(StreamErrorCondition.NOT_AUTHORIZED, "authenticate first");
        }
        return dispatchIq(handler, new IqRequest(iq, payload, null, services.domain(), IqTarget.UNAUTHENTICATED, services, this));
    }

    // ---- resource binding -----------------------------------------------------------------------

    private Behavior<ConnectionMessage> onBinding(XmlElement e) {
        if (!e.is("iq", Namespaces.CLIENT)) {
            return streamError(StreamErrorCondition.NOT_AUTHORIZED, "bind a resource first");
        }
        Iq iq = Iq.of(e);
        XmlElement bind = iq.payload();
        if (iq.type() != Iq.Type.SET || bind == null || !bind.is("bind", Namespaces.BIND) || !iq.isWellFormed()) {
            if (iq.isRequest() && iq.id() != null) {
                send(iq.errorReply(StanzaErrorCondition.NOT_ALLOWED));
                return this;
            }
            return streamError(StreamErrorCondition.NOT_AUTHORIZED, "bind a resource first");
        }
        String resource = bind.elementText("resource", Namespaces.BIND);
        if (resource != null) {
            resource = resource.trim();
            try {
                resource = resource.isEmpty() ? null : Jid.of(authUser, services.domain().domain(), resource).resource();
            } catch (JidFormatException ex) {
                send(iq.errorReply(StanzaErrorCondition.BAD_REQUEST));
                return this;
            }
        }
        String requested = resource;
        Jid account = Jid.of(authUser, services.domain().domain(), null);
        CompletionStage<UserEntity.BindReply> reply = services.askUser(account,
                r -> new UserEntity.Bind(requested, getContext().getSelf(), settings.replaceOnConflict(), r));
        getContext().pipeToSelf(reply, (r, ex) -> new Bound(r, iq.id(), ex));
        return this;
    }

    private void watchUserEntity(ActorRef<UserEntity.Command> entity) {
        if (entity != null) {
            getContext().watchWith(entity, UserEntityGone.INSTANCE);
        }
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
        if (seats != null) {
            // XEP-0045 332: the rooms this session is in hear it leave because the server shuts down
            seats.forEach((room, seat) -> {
                getContext().unwatch(seat.actor());
                services.rooms().leaveForShutdown(room, jid, seat.nick());
            });
            seats.clear();
        }
        services.tellUser(jid.bare(), new UserEntity.Detach(jid.resource(), getContext().getSelf()));
        timers.startSingleTimer(ToClient.Detached.INSTANCE, ToClient.Detached.INSTANCE, java.time.Duration.ofSeconds(3));
        return this;
    }

    /**
     * The user entity moved or died with its node: register this session with wherever sharding
     * starts it next (messages for the user wait there meanwhile). The client notices nothing.
     */
    private Behavior<ConnectionMessage> onUserEntityGone() {
        if (phase != Phase.ESTABLISHED || session == null || detaching != null) {
            return this;
        }
        Jid account = jid.bare();
        XmlElement presence = session.presence();
        boolean roster = Boolean.TRUE.equals(get(ROSTER_PUSHES));
        boolean blocklist = Boolean.TRUE.equals(get(BLOCKLIST_PUSHES));
        // a short timeout, retried: right after a node is removed this node's shard region may still
        // send to the dead node's region for a moment, and the message is lost there
        CompletionStage<UserEntity.BindReply> reply = services.sharding().entityRefFor(UserEntity.TYPE_KEY, account.toString())
                .ask(r -> new UserEntity.Reattach(jid.resource(), getContext().getSelf(), presence, roster, blocklist, r),
                        REATTACH_TIMEOUT);
        getContext().pipeToSelf(reply, Reattached::new);
        return this;
    }

    private static final java.time.Duration REATTACH_TIMEOUT = java.time.Duration.ofSeconds(1);

    private Behavior<ConnectionMessage> onReattached(Reattached m) {
        if (phase != Phase.ESTABLISHED) {
            return this;
        }
        if (m.failure() != null) {
            // sharding could not reach the entity yet (a node is still being removed): try again
            timers.startSingleTimer(UserEntityGone.INSTANCE, UserEntityGone.INSTANCE, java.time.Duration.ofMillis(200));
            return this;
        }
        if (m.reply().error() != null) {
            return streamError(m.reply().error() == StanzaErrorCondition.CONFLICT ? StreamErrorCondition.CONFLICT
                    : StreamErrorCondition.NOT_AUTHORIZED, "the session could not be registered again");
        }
        watchUserEntity(m.reply().entity());
        return this;
    }

    private Behavior<ConnectionMessage> onBound(Bound m) {
        if (phase != Phase.BINDING) {
            return this;
        }
        Iq.Builder err = Iq.builder(Iq.Type.ERROR).id(m.iqId());
        if (m.failure() != null || m.reply().error() != null) {
            StanzaErrorCondition c = m.failure() != null ? StanzaErrorCondition.INTERNAL_SERVER_ERROR : m.reply().error();
            send(err.child(StanzaError.of(c).toElement(Namespaces.CLIENT)).build().element());
            if (c == StanzaErrorCondition.NOT_AUTHORIZED) {
                return streamError(StreamErrorCondition.NOT_AUTHORIZED, "the account no longer exists");
            }
            return this;
        }
        jid = Jid.of(authUser, services.domain().domain(), m.reply().resource());
        watchUserEntity(m.reply().entity());
        send(Iq.builder(Iq.Type.RESULT).id(m.iqId()).child(XmlElement.builder("bind", Namespaces.BIND)
                .textElement("jid", Namespaces.BIND, jid.toString()).build()).build().element());
        phase = Phase.ESTABLISHED;
        bound.tell(new SessionBound(getContext().getSelf(), jid));
        session = new EstablishedSession(this, jid);
        timers.cancel(Timer.NEGOTIATION_TIMEOUT);
        if (!settings.pingInterval().isZero()) {
            timers.startTimerWithFixedDelay(Timer.PING_TICK, Timer.PING_TICK, settings.pingInterval().dividedBy(2));
        }
        if (!settings.whitespaceKeepalive().isZero()) {
            timers.startTimerWithFixedDelay(Timer.KEEPALIVE_TICK, Timer.KEEPALIVE_TICK, settings.whitespaceKeepalive().dividedBy(2));
        }
        session.start(m.reply().avatarHash());
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

    // ---- Multi-User Chat rooms this session is in -------------------------------------------------

    /** A room this session is in: its nick there and the room actor, watched. */
    private record Seat(String nick, ActorRef<?> actor) {
    }

    private Map<Jid, Seat> seats;

    private Behavior<ConnectionMessage> onInRoom(ToClient.InRoom m) {
        if (seats == null) {
            seats = new HashMap<>();
        }
        Seat before = seats.put(m.room(), new Seat(m.nick(), m.roomActor()));
        if (before == null || !before.actor().equals(m.roomActor())) {
            if (before != null) {
                getContext().unwatch(before.actor());
            }
            getContext().watchWith(m.roomActor(), new RoomGone(m.roomActor()));
        }
        return this;
    }

    private Behavior<ConnectionMessage> onOutOfRoom(ToClient.OutOfRoom m) {
        Seat gone = seats == null ? null : seats.remove(m.room());
        if (gone != null) {
            getContext().unwatch(gone.actor());
        }
        return this;
    }

    /**
     * A room stopped while this session was in it: join it again under the same nick, silently
     * (the room's new incarnation takes the occupant back without presence to anyone).
     */
    private Behavior<ConnectionMessage> onRoomGone(RoomGone g) {
        if (seats == null || phase != Phase.ESTABLISHED || session == null || detaching != null
                || akka.actor.CoordinatedShutdown.get(getContext().getSystem()).getShutdownReason().isPresent()) {
            return this; // this node is going down: its connections end, rooms see them go
        }
        for (Iterator<Map.Entry<Jid, Seat>> it = seats.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Jid, Seat> e = it.next();
            if (e.getValue().actor().equals(g.room())) {
                it.remove();
                services.rooms().rejoin(e.getKey(), jid, e.getValue().nick(), getContext().getSelf());
            }
        }
        return this;
    }

    private Behavior<ConnectionMessage> onBlocklistChanged(ToClient.BlocklistChanged m) {
        if (session != null) {
            session.blocked(m.blocked());
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
        send(StreamError.of(condition, text).toElement());
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

    private Behavior<ConnectionMessage> close() {
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
