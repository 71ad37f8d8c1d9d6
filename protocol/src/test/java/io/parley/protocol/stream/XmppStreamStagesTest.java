package io.parley.protocol.stream;

import static io.parley.protocol.stream.DecoderSupport.HEADER;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.ActorSystem;
import akka.japi.Pair;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.stream.testkit.TestPublisher;
import akka.stream.testkit.TestSubscriber;
import akka.stream.testkit.javadsl.TestSink;
import akka.stream.testkit.javadsl.TestSource;
import akka.testkit.javadsl.TestKit;
import akka.util.ByteString;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The parser and codec as running Akka Streams stages. */
class XmppStreamStagesTest {

    private static ActorSystem system;

    @BeforeAll
    static void start() {
        system = ActorSystem.create("stages");
    }

    @AfterAll
    static void stop() {
        TestKit.shutdownActorSystem(system);
    }

    private static final XmlElement HEADER_OUT = XmlElement.builder("stream", Namespaces.STREAMS)
            .attr("from", "example.com").attr("id", "s1").attr("version", "1.0").build();

    @Test
    void parserFlowEmitsFramesAcrossChunksAndCompletes() throws Exception {
        String input = HEADER + "<message><body>é😀</body></message><presence/></stream:stream>";
        byte[] bytes = input.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<ByteString> chunks = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += 5) {
            chunks.add(ByteString.fromArray(bytes, i, Math.min(5, bytes.length - i)));
        }
        List<StreamFrame> frames = Source.from(chunks).via(XmppStreamParser.flow())
                .runWith(Sink.seq(), system).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(frames).isEqualTo(DecoderSupport.decode(input));
        assertThat(frames).hasSize(4).last().isEqualTo(StreamFrame.Close.INSTANCE);
    }

    @Test
    void aFaultIsAFrameNotAFailedStage() throws Exception {
        List<StreamFrame> frames = Source.single(ByteString.fromString(HEADER + "<a></b>"))
                .concat(Source.single(ByteString.fromString("<presence/>")))
                .via(XmppStreamParser.flow())
                .runWith(Sink.seq(), system).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(frames).hasSize(2);
        assertThat(DecoderSupport.lastFault(frames).condition()).isEqualTo(StreamErrorCondition.NOT_WELL_FORMED);
    }

    @Test
    void parserHonoursBackpressure() {
        Pair<TestPublisher.Probe<ByteString>, TestSubscriber.Probe<StreamFrame>> probes = TestSource.<ByteString>probe(system)
                .via(XmppStreamParser.flow())
                .toMat(TestSink.probe(system), Keep.both())
                .run(system);
        TestPublisher.Probe<ByteString> in = probes.first();
        TestSubscriber.Probe<StreamFrame> out = probes.second();
        out.request(1);
        in.sendNext(ByteString.fromString(HEADER + "<presence/><presence/><presence/>"));
        assertThat(out.expectNext()).isInstanceOf(StreamFrame.Open.class);
        out.expectNoMessage(Duration.ofMillis(50));
        out.request(3);
        assertThat(out.expectNext()).isInstanceOf(StreamFrame.Element.class);
        assertThat(out.expectNext()).isInstanceOf(StreamFrame.Element.class);
        assertThat(out.expectNext()).isInstanceOf(StreamFrame.Element.class);
        out.request(1);
        out.expectNoMessage(Duration.ofMillis(50));
        in.sendComplete();
        out.expectComplete();
    }

    /** Server side of a connection: the codec joined to probes standing for TCP and the connection actor. */
    private record Harness(TestPublisher.Probe<ByteString> clientBytes, TestSubscriber.Probe<StreamFrame> frames,
                           TestPublisher.Probe<OutboundFrame> outbound, TestSubscriber.Probe<ByteString> serverBytes) {
    }

    private Harness codec() {
        // the connection actor's side: frames go to a probe, outbound frames come from one
        Flow<StreamFrame, OutboundFrame, Pair<TestSubscriber.Probe<StreamFrame>, TestPublisher.Probe<OutboundFrame>>> handler =
                Flow.fromSinkAndSourceMat(TestSink.<StreamFrame>probe(system), TestSource.<OutboundFrame>probe(system), Keep.both());
        Flow<ByteString, ByteString, Pair<TestSubscriber.Probe<StreamFrame>, TestPublisher.Probe<OutboundFrame>>> server =
                XmppCodec.bidi(StreamLimits.DEFAULTS).join(handler, Keep.right());
        Pair<Pair<TestPublisher.Probe<ByteString>, Pair<TestSubscriber.Probe<StreamFrame>, TestPublisher.Probe<OutboundFrame>>>,
                TestSubscriber.Probe<ByteString>> m = TestSource.<ByteString>probe(system)
                .viaMat(server, Keep.both())
                .toMat(TestSink.probe(system), Keep.both())
                .run(system);
        return new Harness(m.first().first(), m.first().second().first(), m.first().second().second(), m.second());
    }

    @Test
    void streamRestartAfterStarttlsIsSynchronous() {
        Harness h = codec();
        h.frames().request(10);
        h.serverBytes().request(10);
        h.clientBytes().sendNext(ByteString.fromString(HEADER));
        assertThat(h.frames().expectNext()).isInstanceOf(StreamFrame.Open.class);
        h.outbound().sendNext(new OutboundFrame.Open(HEADER_OUT, Namespaces.CLIENT));
        assertThat(h.serverBytes().expectNext().utf8String()).startsWith("<?xml version='1.0'?><stream:stream xmlns='jabber:client'");
        h.clientBytes().sendNext(ByteString.fromString("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
        assertThat(((StreamFrame.Element) h.frames().expectNext()).element().name()).isEqualTo("starttls");

        h.outbound().sendNext(OutboundFrame.ResetParser.INSTANCE);
        h.outbound().sendNext(new OutboundFrame.Element(XmlElement.of("proceed", Namespaces.TLS)));
        assertThat(h.serverBytes().expectNext().utf8String()).isEqualTo("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        // the peer's new stream, with its own XML declaration, meets a fresh parser
        h.clientBytes().sendNext(ByteString.fromString(HEADER + "<presence/>"));
        assertThat(h.frames().expectNext()).isInstanceOf(StreamFrame.Open.class);
        assertThat(((StreamFrame.Element) h.frames().expectNext()).element().name()).isEqualTo("presence");
    }

    @Test
    void withoutTheResetTheNewHeaderIsAFault() {
        Harness h = codec();
        h.frames().request(10);
        h.serverBytes().request(10);
        h.clientBytes().sendNext(ByteString.fromString(HEADER + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
        h.frames().expectNext();
        h.frames().expectNext();
        h.outbound().sendNext(new OutboundFrame.Element(XmlElement.of("proceed", Namespaces.TLS)));
        h.serverBytes().expectNext();
        h.clientBytes().sendNext(ByteString.fromString(HEADER));
        assertThat(h.frames().expectNext()).isInstanceOf(StreamFrame.Fault.class);
    }

    @Test
    void encodesElementsWhitespaceStreamErrorsAndClose() {
        Harness h = codec();
        h.serverBytes().request(10);
        h.outbound().sendNext(new OutboundFrame.Open(HEADER_OUT, Namespaces.CLIENT));
        h.serverBytes().expectNext();
        h.outbound().sendNext(new OutboundFrame.Element(XmlElement.builder("message", Namespaces.CLIENT)
                .attr("to", "a@b").textElement("body", Namespaces.CLIENT, "x<y").build()));
        assertThat(h.serverBytes().expectNext().utf8String()).isEqualTo("<message to='a@b'><body>x&lt;y</body></message>");
        h.outbound().sendNext(OutboundFrame.Whitespace.INSTANCE);
        assertThat(h.serverBytes().expectNext().utf8String()).isEqualTo(" ");
        h.outbound().sendNext(new OutboundFrame.Element(StreamError.of(StreamErrorCondition.POLICY_VIOLATION).toElement()));
        assertThat(h.serverBytes().expectNext().utf8String())
                .isEqualTo("<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>");
        h.outbound().sendNext(OutboundFrame.Close.INSTANCE);
        assertThat(h.serverBytes().expectNext().utf8String()).isEqualTo("</stream:stream>");
        h.outbound().sendComplete();
        h.serverBytes().expectComplete();
    }

    @Test
    void closingOneDirectionLeavesTheOtherRunning() {
        Harness h = codec();
        h.frames().request(10);
        h.serverBytes().request(10);
        h.outbound().sendComplete();
        h.serverBytes().expectComplete();
        h.clientBytes().sendNext(ByteString.fromString(HEADER + "<presence/>"));
        h.frames().expectNext();
        assertThat(h.frames().expectNext()).isInstanceOf(StreamFrame.Element.class);
        h.clientBytes().sendComplete();
        h.frames().expectComplete();
    }
}
