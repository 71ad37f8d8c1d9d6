package io.parley.engine.testkit;

import io.parley.protocol.client.ClientNegotiator;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.sasl.SaslMechanism;
import io.parley.protocol.stream.OutboundFrame;
import io.parley.protocol.stream.StreamError;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.stream.StreamFrame;
import io.parley.protocol.stream.XmppStreamDecoder;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlReader;
import io.parley.protocol.xml.XmlWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A blocking XMPP client on a real socket for wire-level tests: writes raw bytes or elements,
 * reads frames through the protocol decoder, upgrades to TLS with the JDK's SSLSocket, and can
 * run the protocol module's {@link ClientNegotiator}. Not thread-safe.
 */
public final class RawClient implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final SSLContext tls;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private XmppStreamDecoder decoder = new XmppStreamDecoder();
    private final ArrayDeque<StreamFrame> frames = new ArrayDeque<>();
    private final XmlWriter writer = new XmlWriter(true);
    private Jid jid;
    private boolean eof;

    private RawClient(Socket socket, SSLContext tls) throws IOException {
        this.tls = tls;
        use(socket);
    }

    public static RawClient connect(int port, SSLContext tls) {
        try {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            return new RawClient(s, tls);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Connects with TLS from the first byte (XEP-0368). */
    public static RawClient connectDirectTls(int port, SSLContext tls) {
        try {
            SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
            s.startHandshake();
            return new RawClient(s, tls);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void use(Socket s) throws IOException {
        socket = s;
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        in = s.getInputStream();
        out = s.getOutputStream();
    }

    public Jid jid() {
        return jid;
    }

    // ---- writing --------------------------------------------------------------------------------

    public RawClient send(String raw) {
        return sendBytes(raw.getBytes(StandardCharsets.UTF_8));
    }

    public RawClient sendBytes(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("write failed", e);
        }
        return this;
    }

    public RawClient send(XmlElement e) {
        writer.reset().element(e, Namespaces.CLIENT);
        return sendBytes(writer.toByteArray());
    }

    /** Parses XML written in the test (default namespace jabber:client) and sends it. */
    public RawClient sendXml(String xml) {
        XmlElement e = XmlReader.parse(xml.replaceFirst("^<(\\w+)", "<$1 xmlns='jabber:client'"));
        return send(e);
    }

    public RawClient openStream() {
        return send("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
                + " to='localhost' version='1.0'>");
    }

    private void write(OutboundFrame f) {
        if (f instanceof OutboundFrame.Open o) {
            writer.reset().streamOpen(o.header(), o.contentNamespace());
            sendBytes(writer.toByteArray());
        } else if (f instanceof OutboundFrame.Element e) {
            send(e.element());
        } else if (f == OutboundFrame.ResetParser.INSTANCE) {
            decoder = new XmppStreamDecoder();
            frames.clear();
        } else if (f == OutboundFrame.StartTls.INSTANCE) {
            startTls();
        } else if (f == OutboundFrame.Close.INSTANCE) {
            send("</stream:stream>");
        }
    }

    /** Wraps the socket in TLS (after the server's {@code <proceed/>}). */
    public void startTls() {
        try {
            SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
            s.setUseClientMode(true);
            s.startHandshake();
            use(s);
        } catch (IOException e) {
            throw new IllegalStateException("TLS handshake failed", e);
        }
    }

    // ---- reading --------------------------------------------------------------------------------

    /** The next frame, or null when the connection closed. Fails after the timeout. */
    public StreamFrame next() {
        List<StreamFrame> got = new ArrayList<>();
        byte[] buf = new byte[8192];
        while (frames.isEmpty()) {
            if (eof) {
                return null;
            }
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no frame within " + TIMEOUT);
            } catch (IOException e) {
                eof = true;
                return null;
            }
            if (n < 0) {
                eof = true;
                return null;
            }
            decoder.feed(buf, 0, n, got);
            frames.addAll(got);
            got.clear();
        }
        return frames.poll();
    }

    /** True when nothing at all arrives within {@code d} (bytes included). */
    public boolean quietFor(Duration d) {
        if (!frames.isEmpty()) {
            return false;
        }
        try {
            socket.setSoTimeout((int) d.toMillis());
            int b = in.read();
            if (b < 0) {
                eof = true;
                return false;
            }
            List<StreamFrame> got = new ArrayList<>();
            decoder.feed(new byte[] {(byte) b}, 0, 1, got);
            frames.addAll(got);
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            eof = true;
            return false;
        } finally {
            try {
                socket.setSoTimeout((int) TIMEOUT.toMillis());
            } catch (IOException e) {
                // closed
            }
        }
    }

    /** The next top-level element, skipping stream headers. */
    public XmlElement nextElement() {
        while (true) {
            StreamFrame f = next();
            if (f == null) {
                throw new AssertionError("the connection closed");
            }
            if (f instanceof StreamFrame.Element e) {
                return e.element();
            }
            if (f instanceof StreamFrame.Fault fault) {
                throw new AssertionError("unparseable input from the server: " + fault);
            }
            if (f == StreamFrame.Close.INSTANCE) {
                throw new AssertionError("the server closed the stream");
            }
        }
    }

    /** The next element that matches, skipping others (presence broadcasts, pushes). */
    public XmlElement await(Predicate<XmlElement> match) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            XmlElement e = nextElement();
            if (match.test(e)) {
                return e;
            }
        }
        throw new AssertionError("nothing matched within " + TIMEOUT);
    }

    /** Waits for elements matching each predicate, in any order; returns them in predicate order. */
    @SafeVarargs
    public final List<XmlElement> awaitAll(Predicate<XmlElement>... matches) {
        XmlElement[] found = new XmlElement[matches.length];
        int missing = matches.length;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (missing > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not everything arrived within " + TIMEOUT);
            }
            XmlElement e = nextElement();
            for (int i = 0; i < matches.length; i++) {
                if (found[i] == null && matches[i].test(e)) {
                    found[i] = e;
                    missing--;
                    break;
                }
            }
        }
        return List.of(found);
    }

    /** Reads until the stream error; asserts its condition and that the connection then closes. */
    public StreamError expectStreamError(StreamErrorCondition condition) {
        while (true) {
            StreamFrame f = next();
            if (f == null) {
                throw new AssertionError("closed without a stream error, expected " + condition);
            }
            if (f instanceof StreamFrame.Element e && StreamError.isStreamError(e.element())) {
                StreamError err = StreamError.fromElement(e.element());
                if (err.condition() != condition) {
                    throw new AssertionError("expected stream error " + condition + " but got " + err);
                }
                expectClosed();
                return err;
            }
        }
    }

    /** Reads until the server closes the stream and the socket. */
    public void expectClosed() {
        while (true) {
            StreamFrame f = next();
            if (f == null) {
                return;
            }
        }
    }

    // ---- negotiation ----------------------------------------------------------------------------

    /** Runs the whole negotiation; returns the bound JID or throws with the reason. */
    public Jid login(ClientNegotiator.Settings settings) {
        ClientNegotiator n = new ClientNegotiator(settings);
        n.start().forEach(this::write);
        while (true) {
            StreamFrame f = next();
            if (f == null) {
                throw new AssertionError("connection closed during negotiation");
            }
            ClientNegotiator.Step step = n.onFrame(f);
            if (step instanceof ClientNegotiator.Step.Send s) {
                s.frames().forEach(this::write);
            } else if (step instanceof ClientNegotiator.Step.Bound b) {
                b.frames().forEach(this::write);
                jid = b.jid();
                return jid;
            } else if (step instanceof ClientNegotiator.Step.Failed failed) {
                throw new NegotiationFailed(failed.reason());
            }
        }
    }

    public Jid login(String user, String password, String resource) {
        return login(ClientNegotiator.Settings.of("localhost", user, password).withResource(resource));
    }

    /** Registers in band, then logs in. */
    public Jid register(String user, String password, String resource) {
        return login(ClientNegotiator.Settings.of("localhost", user, password).withResource(resource).withRegistration(true));
    }

    public Jid login(String user, String password, String resource, SaslMechanism mechanism) {
        return login(ClientNegotiator.Settings.of("localhost", user, password).withResource(resource).withMechanism(mechanism));
    }

    /** Sends initial presence and reads the server's echo of it. */
    public RawClient available() {
        send("<presence/>");
        await(e -> e.name().equals("presence") && jid.toString().equals(e.attr("from")));
        return this;
    }

    public void closeStream() {
        send("</stream:stream>");
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Negotiation failed for the given reason. */
    public static final class NegotiationFailed extends AssertionError {
        public NegotiationFailed(String reason) {
            super(reason);
        }
    }
}
