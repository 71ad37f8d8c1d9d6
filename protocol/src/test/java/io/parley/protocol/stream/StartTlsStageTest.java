package io.parley.protocol.stream;

import static org.assertj.core.api.Assertions.assertThat;

import akka.NotUsed;
import akka.actor.ActorSystem;
import akka.japi.Pair;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Tcp;
import akka.stream.testkit.TestPublisher;
import akka.stream.testkit.TestSubscriber;
import akka.stream.testkit.javadsl.TestSink;
import akka.stream.testkit.javadsl.TestSource;
import akka.testkit.javadsl.TestKit;
import akka.util.ByteString;
import io.parley.protocol.tls.TestTls;
import io.parley.protocol.tls.TlsContexts;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StartTlsStageTest {

    private static ActorSystem system;

    @BeforeAll
    static void start() {
        system = ActorSystem.create("tls");
    }

    @AfterAll
    static void stop() {
        TestKit.shutdownActorSystem(system);
    }

    private record Ends(TestPublisher.Probe<ByteString> clientOut, TestSubscriber.Probe<ByteString> clientIn,
                        TestPublisher.Probe<ByteString> serverOut, TestSubscriber.Probe<ByteString> serverIn,
                        ConcurrentLinkedQueue<ByteString> wire) {
    }

    /** client app <-> client stage <-> wire (tapped) <-> server stage <-> server app. */
    private Ends backToBack(boolean immediate) {
        return backToBack(immediate, 0);
    }

    /** With {@code maxPiece > 0} the wire re-cuts every chunk into random pieces of 1..maxPiece bytes. */
    private Ends backToBack(boolean immediate, int maxPiece) {
        ConcurrentLinkedQueue<ByteString> wire = new ConcurrentLinkedQueue<>();
        java.util.Random random = new java.util.Random(42);
        Flow<ByteString, ByteString, NotUsed> tap = Flow.<ByteString>create().map(b -> {
            wire.add(b);
            return b;
        }).mapConcat(b -> {
            if (maxPiece <= 0) {
                return List.of(b);
            }
            List<ByteString> pieces = new java.util.ArrayList<>();
            ByteString rest = b;
            while (!rest.isEmpty()) {
                int n = Math.min(rest.size(), 1 + random.nextInt(maxPiece));
                pieces.add(rest.take(n));
                rest = rest.drop(n);
            }
            return pieces;
        });
        BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> client = StartTlsStage.bidi(
                () -> TlsContexts.clientEngine(TestTls.CLIENT, "localhost", 5222, true), immediate);
        BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> server = StartTlsStage.bidi(
                () -> TlsContexts.serverEngine(TestTls.SERVER), immediate);
        BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> stack =
                client.atop(BidiFlow.fromFlows(tap, tap)).atop(server.reversed());
        Flow<ByteString, ByteString, Pair<TestSubscriber.Probe<ByteString>, TestPublisher.Probe<ByteString>>> serverApp =
                Flow.fromSinkAndSourceMat(TestSink.<ByteString>probe(system), TestSource.<ByteString>probe(system), Keep.both());
        Pair<Pair<TestPublisher.Probe<ByteString>, Pair<TestSubscriber.Probe<ByteString>, TestPublisher.Probe<ByteString>>>,
                TestSubscriber.Probe<ByteString>> m = TestSource.<ByteString>probe(system)
                .viaMat(stack.join(serverApp, Keep.right()), Keep.both())
                .toMat(TestSink.probe(system), Keep.both())
                .run(system);
        Ends e = new Ends(m.first().first(), m.second(), m.first().second().second(), m.first().second().first(), wire);
        e.clientIn().request(100);
        e.serverIn().request(100);
        return e;
    }

    private static String readUntil(TestSubscriber.Probe<ByteString> in, String expected) {
        StringBuilder b = new StringBuilder();
        while (b.length() < expected.length()) {
            b.append(in.expectNext(scala.concurrent.duration.FiniteDuration.create(10, TimeUnit.SECONDS)).utf8String());
        }
        return b.toString();
    }

    private static String wireText(ConcurrentLinkedQueue<ByteString> wire) {
        return wire.stream().map(ByteString::utf8String).reduce("", String::concat);
    }

    @Test
    void plainThenStartTlsThenEncryptedBothWays() {
        Ends e = backToBack(false);
        e.clientOut().sendNext(ByteString.fromString("<starttls/>"));
        assertThat(readUntil(e.serverIn(), "<starttls/>")).isEqualTo("<starttls/>");
        // the server arms TLS, then writes <proceed/> in the clear
        e.serverOut().sendNext(XmppCodec.START_TLS);
        e.serverOut().sendNext(ByteString.fromString("<proceed/>"));
        assertThat(readUntil(e.clientIn(), "<proceed/>")).isEqualTo("<proceed/>");
        // the client switches and talks TLS
        e.clientOut().sendNext(XmppCodec.START_TLS);
        e.clientOut().sendNext(ByteString.fromString("secret from client"));
        assertThat(readUntil(e.serverIn(), "secret from client")).isEqualTo("secret from client");
        String big = "x".repeat(100_000) + "end";
        e.serverOut().sendNext(ByteString.fromString(big));
        assertThat(readUntil(e.clientIn(), big)).isEqualTo(big);
        assertThat(wireText(e.wire())).contains("<starttls/>", "<proceed/>").doesNotContain("secret", "xxxxxxxx");
        // orderly close: close_notify, then both sides complete
        e.clientOut().sendComplete();
        e.serverIn().expectComplete();
        e.serverOut().sendComplete();
        e.clientIn().expectComplete();
    }

    /** Records cut anywhere (inside headers, one byte at a time) and big writes spanning many records. */
    @Test
    void recordsCutAtAnyByteDecryptWholeBothWays() {
        for (int maxPiece : new int[] {1, 7, 1500, 40_000}) {
            Ends e = backToBack(true, maxPiece);
            StringBuilder up = new StringBuilder();
            StringBuilder down = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                String a = "<message id='" + i + "'>" + "é€𝄞".repeat(i * 300) + "</message>";
                String b = "<presence n='" + i + "'/>" + "z".repeat(i * 997);
                e.clientOut().sendNext(ByteString.fromString(a));
                e.serverOut().sendNext(ByteString.fromString(b));
                up.append(a);
                down.append(b);
            }
            assertThat(readUntilBytes(e.serverIn(), up.toString())).as("client to server, pieces <= %d", maxPiece).isEqualTo(up.toString());
            assertThat(readUntilBytes(e.clientIn(), down.toString())).as("server to client, pieces <= %d", maxPiece).isEqualTo(down.toString());
            e.clientOut().sendComplete();
            e.serverIn().expectComplete();
            e.serverOut().sendComplete();
            e.clientIn().expectComplete();
        }
    }

    private static String readUntilBytes(TestSubscriber.Probe<ByteString> in, String expected) {
        int want = expected.getBytes(StandardCharsets.UTF_8).length;
        ByteString got = ByteString.emptyByteString();
        while (got.size() < want) {
            in.request(1);
            got = got.concat(in.expectNext(scala.concurrent.duration.FiniteDuration.create(10, TimeUnit.SECONDS)));
        }
        return got.utf8String();
    }

    @Test
    void immediateTlsEncryptsFromTheFirstByte() {
        Ends e = backToBack(true);
        e.clientOut().sendNext(ByteString.fromString("hello"));
        assertThat(readUntil(e.serverIn(), "hello")).isEqualTo("hello");
        e.serverOut().sendNext(ByteString.fromString("world"));
        assertThat(readUntil(e.clientIn(), "world")).isEqualTo("world");
        assertThat(wireText(e.wire())).doesNotContain("hello", "world");
    }

    @Test
    void aHandshakeWithAnUntrustedCertificateFailsTheStage() throws Exception {
        BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> client = StartTlsStage.bidi(
                () -> {
                    try {
                        return TlsContexts.clientEngine(javax.net.ssl.SSLContext.getDefault(), "localhost", 5222, true);
                    } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                }, true);
        BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> server = StartTlsStage.bidi(
                () -> TlsContexts.serverEngine(TestTls.SERVER), true);
        Flow<ByteString, ByteString, Pair<TestSubscriber.Probe<ByteString>, TestPublisher.Probe<ByteString>>> serverApp =
                Flow.fromSinkAndSourceMat(TestSink.<ByteString>probe(system), TestSource.<ByteString>probe(system), Keep.both());
        Pair<TestPublisher.Probe<ByteString>, TestSubscriber.Probe<ByteString>> m = TestSource.<ByteString>probe(system)
                .via(client.atop(server.reversed()).join(serverApp))
                .toMat(TestSink.probe(system), Keep.both())
                .run(system);
        m.second().request(1);
        // the client's handshake starts at once and fails on the unknown certificate
        assertThat(m.second().expectError()).isInstanceOf(javax.net.ssl.SSLException.class);
    }

    /** A STARTTLS-style line protocol on a real socket, with the JDK's own SSLSocket as the client. */
    @Test
    void jdkSocketClientStartsTlsMidConnection() throws Exception {
        Flow<ByteString, ByteString, NotUsed> app = Flow.<ByteString>create()
                .via(akka.stream.javadsl.Framing.delimiter(ByteString.fromString("\n"), 1024))
                .mapConcat(line -> line.utf8String().equals("STARTTLS")
                        ? List.of(XmppCodec.START_TLS, ByteString.fromString("PROCEED\n"))
                        : List.of(ByteString.fromString("echo " + line.utf8String() + "\n")));
        Tcp.ServerBinding binding = Tcp.get(system).bind("127.0.0.1", 0)
                .to(akka.stream.javadsl.Sink.foreach(c -> c.handleWith(
                        StartTlsStage.bidi(() -> TlsContexts.serverEngine(TestTls.SERVER), false).reversed().join(app), system)))
                .run(system).toCompletableFuture().get(10, TimeUnit.SECONDS);
        int port = binding.localAddress().getPort();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            plain.setSoTimeout(10_000);
            OutputStream out = plain.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.UTF_8));
            out.write("hi\nSTARTTLS\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("echo hi");
            assertThat(in.readLine()).isEqualTo("PROCEED");
            try (SSLSocket tls = (SSLSocket) TestTls.CLIENT.getSocketFactory().createSocket(plain, "localhost", port, true)) {
                tls.startHandshake();
                assertThat(tls.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
                tls.getOutputStream().write("over tls\n".getBytes(StandardCharsets.UTF_8));
                BufferedReader tin = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.UTF_8));
                assertThat(tin.readLine()).isEqualTo("echo over tls");
            }
        } finally {
            binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void jdkSocketClientWithDirectTls() throws Exception {
        Flow<ByteString, ByteString, NotUsed> echo = Flow.<ByteString>create().map(b -> ByteString.fromString("echo:").concat(b));
        Tcp.ServerBinding binding = Tcp.get(system).bind("127.0.0.1", 0)
                .to(akka.stream.javadsl.Sink.foreach(c -> c.handleWith(
                        StartTlsStage.bidi(() -> TlsContexts.serverEngine(TestTls.SERVER), true).reversed().join(echo), system)))
                .run(system).toCompletableFuture().get(10, TimeUnit.SECONDS);
        try (SSLSocket tls = (SSLSocket) TestTls.CLIENT.getSocketFactory().createSocket("127.0.0.1", binding.localAddress().getPort())) {
            tls.setSoTimeout(10_000);
            javax.net.ssl.SSLParameters p = tls.getSSLParameters();
            p.setServerNames(List.of(new javax.net.ssl.SNIHostName("localhost")));
            tls.setSSLParameters(p);
            tls.getOutputStream().write("x".getBytes(StandardCharsets.UTF_8));
            byte[] buf = new byte[16];
            int n = tls.getInputStream().read(buf);
            assertThat(new String(buf, 0, n, StandardCharsets.UTF_8)).startsWith("echo:");
        } finally {
            binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
