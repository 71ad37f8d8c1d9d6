package io.parley.bench.load;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import io.parley.protocol.client.ClientNegotiator;
import io.parley.protocol.sasl.ScramCache;
import io.parley.protocol.stream.OutboundFrame;
import io.parley.protocol.stream.StartTlsStage;
import io.parley.protocol.stream.StreamFrame;
import io.parley.protocol.stream.StreamLimits;
import io.parley.protocol.stream.XmppCodec;
import io.parley.protocol.tls.TlsContexts;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * Opens simulated clients: each is one Akka Streams graph (TCP from a rotating loopback source
 * address 127.0.0.1..127.0.0.N, the STARTTLS stage, the codec, a {@link ClientStage}), so
 * thousands share a few threads. Certificates are not checked: these are test servers.
 */
public final class Connector {

    private final ActorSystem<?> system;
    private final SSLContext tls;
    private final int sourceAddresses;
    private final int firstSource;
    private final AtomicLong next = new AtomicLong();
    private final ScramCache scram = new ScramCache();

    public int sourceAddresses() {
        return sourceAddresses;
    }

    public int firstSource() {
        return firstSource;
    }

    /** The client-side SCRAM key cache (derived keys per account and server salt). */
    public ScramCache scramCache() {
        return scram;
    }

    public Connector(ActorSystem<?> system, int sourceAddresses) {
        this(system, sourceAddresses, 1);
    }

    /**
     * @param sourceAddresses how many loopback source addresses the clients spread over
     * @param firstSource the last octet of the first one (another load process takes the next range)
     */
    public Connector(ActorSystem<?> system, int sourceAddresses, int firstSource) {
        this.system = system;
        this.sourceAddresses = Math.max(1, sourceAddresses);
        this.firstSource = Math.max(1, firstSource);
        if (this.firstSource + this.sourceAddresses - 1 > 254) {
            throw new IllegalArgumentException("source addresses beyond 127.0.0.254");
        }
        try {
            this.tls = TlsContexts.clientTrustingAnything();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Connects and logs in (or registers, then logs in).
     *
     * @param presence fetch the roster and send initial presence before {@link ClientHandle#ready()}
     */
    public ClientHandle connect(Target target, String user, String password, String resource, boolean register,
                                boolean presence, StanzaListener listener) {
        return connect(target, target.port(), user, password, resource, register, presence, listener);
    }

    /** Connects to one node of the target ({@link Target#portFor}) and logs in (or registers, then logs in). */
    public ClientHandle connect(Target target, int port, String user, String password, String resource, boolean register,
                                boolean presence, StanzaListener listener) {
        ClientNegotiator.Settings settings = ClientNegotiator.Settings.of(target.domain(), user, password)
                .withResource(resource)
                .withMechanism(target.mechanism())
                .withTls(target.directTls() ? ClientNegotiator.TlsPolicy.NONE : ClientNegotiator.TlsPolicy.REQUIRED)
                .withRegistration(register)
                .withScramCache(scram);
        int a = (int) (next.getAndIncrement() % sourceAddresses) + firstSource;
        InetSocketAddress local = new InetSocketAddress("127.0.0." + a, 0);
        Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> tcp = Tcp.get(system).outgoingConnection(
                new InetSocketAddress(target.host(), port), Optional.of(local), List.of(), false,
                Optional.of(Duration.ofSeconds(20)), Optional.empty());
        BidiFlow<OutboundFrame, ByteString, ByteString, StreamFrame, NotUsed> stack = XmppCodec.bidi(StreamLimits.DEFAULTS).reversed()
                .atop(StartTlsStage.bidi(() -> TlsContexts.clientEngine(tls, target.domain(), port, false), target.directTls()));
        Flow<OutboundFrame, StreamFrame, NotUsed> transport = stack.join(tcp);
        return Flow.fromGraph(new ClientStage(settings, presence, listener)).join(transport).run(system);
    }
}
