package io.parley.engine.c2s;

import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.typed.javadsl.ActorSink;
import akka.util.ByteString;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.protocol.stream.OutboundFrame;
import io.parley.protocol.stream.StartTlsStage;
import io.parley.protocol.stream.StreamFrame;
import io.parley.protocol.stream.StreamLimits;
import io.parley.protocol.stream.XmppCodec;
import io.parley.protocol.tls.TlsContexts;
import javax.net.ssl.SSLContext;

/**
 * The stream stages of one client connection, between TCP and its actor:
 * <pre>
 *   TCP -> StartTlsStage -> XmppCodec (decode) -> ActorSink (acked: backpressure)  -> connection actor
 *   TCP <- StartTlsStage <- XmppCodec (encode) <- Source.queue (bounded: slow client) <- connection actor
 * </pre>
 * The actor gets its outbound queue ({@link Out}) once the flow is materialised.
 */
final class C2sPipeline {

    private C2sPipeline() {
    }

    static Flow<ByteString, ByteString, Out> flow(ActorRef<ConnectionMessage> connection, StreamLimits limits,
                                                            SSLContext tls, boolean directTls, int sendQueue) {
        BidiFlow<OutboundFrame, ByteString, ByteString, StreamFrame, NotUsed> codec = XmppCodec.bidi(limits).reversed();
        BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> transport =
                StartTlsStage.bidi(() -> TlsContexts.serverEngine(tls), directTls);
        Sink<StreamFrame, NotUsed> in = ActorSink.actorRefWithBackpressure(
                connection,
                (ActorRef<C2sConnection.Ack> ackTo, StreamFrame frame) -> new C2sConnection.Inbound(frame, ackTo),
                C2sConnection.StreamStarted::new,
                C2sConnection.Ack.INSTANCE,
                C2sConnection.StreamEnded.INSTANCE,
                C2sConnection.StreamFailed::new);
        Source<OutboundFrame, Out> out = Source.<OutboundFrame>queue(sendQueue).mapMaterializedValue(q -> new Out(q, sendQueue));
        Flow<StreamFrame, OutboundFrame, Out> app = Flow.fromSinkAndSourceMat(in, out, Keep.right());
        return codec.atop(transport).reversed().join(app, Keep.right());
    }

    /** A flow for a refused connection: a stream header, a policy-violation error, close. */
    static Flow<ByteString, ByteString, NotUsed> refuse(String domain, String reason) {
        String xml = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
                + " from='" + domain + "' version='1.0'><stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>" + reason + "</text></stream:error></stream:stream>";
        return Flow.fromSinkAndSource(Sink.ignore(), Source.single(ByteString.fromString(xml)));
    }
}
