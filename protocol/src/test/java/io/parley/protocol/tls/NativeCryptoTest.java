package io.parley.protocol.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With the native provider installed (where it runs), TLS still works end to end and uses it. */
class NativeCryptoTest {

    @Test
    void theJdkTlsEngineHandshakesWithTheNativeProviderFirst(@TempDir Path dir) throws Exception {
        boolean installed = NativeCrypto.install();
        assertThat(NativeCrypto.install()).as("idempotent").isEqualTo(installed);
        if (System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertThat(installed).as("on linux x86_64 the provider loads: %s", NativeCrypto.status()).isTrue();
            assertThat(java.security.Security.getProviders()[0].getName()).isEqualTo("AmazonCorrettoCryptoProvider");
            assertThat(javax.crypto.KeyAgreement.getInstance("ECDH").getProvider().getName()).isEqualTo("AmazonCorrettoCryptoProvider");
        }
        KeyStore ks = TlsContexts.loadOrCreate(dir.resolve("tls.p12"), "localhost", "changeit".toCharArray());
        SSLContext server = TlsContexts.server(ks, "changeit".toCharArray());
        SSLEngine s = TlsContexts.serverEngine(server);
        SSLEngine c = TlsContexts.clientEngine(TlsContexts.clientTrusting(ks), "localhost", 5222, true);
        ByteBuffer c2s = ByteBuffer.allocate(1 << 17);
        ByteBuffer s2c = ByteBuffer.allocate(1 << 17);
        ByteBuffer app = ByteBuffer.allocate(1 << 17);
        c.beginHandshake();
        s.beginHandshake();
        for (int i = 0; i < 50 && !(done(c) && done(s)); i++) {
            step(c, s2c, c2s, app);
            step(s, c2s, s2c, app);
        }
        assertThat(done(c) && done(s)).as("handshake finished").isTrue();
        assertThat(c.getSession().getProtocol()).isEqualTo("TLSv1.3");
        // application data both ways
        ByteBuffer hello = ByteBuffer.wrap("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        c2s.clear();
        c.wrap(hello, c2s);
        c2s.flip();
        app.clear();
        s.unwrap(c2s, app);
        app.flip();
        assertThat(java.nio.charset.StandardCharsets.US_ASCII.decode(app).toString()).isEqualTo("hello");
    }

    private static boolean done(SSLEngine e) {
        HandshakeStatus h = e.getHandshakeStatus();
        return h == HandshakeStatus.NOT_HANDSHAKING || h == HandshakeStatus.FINISHED;
    }

    private static void step(SSLEngine e, ByteBuffer in, ByteBuffer out, ByteBuffer app) throws Exception {
        for (int guard = 0; guard < 20; guard++) {
            HandshakeStatus h = e.getHandshakeStatus();
            if (h == HandshakeStatus.NEED_TASK) {
                Runnable r;
                while ((r = e.getDelegatedTask()) != null) {
                    r.run();
                }
            } else if (h == HandshakeStatus.NEED_WRAP) {
                e.wrap(ByteBuffer.allocate(0), out);
            } else if (h == HandshakeStatus.NEED_UNWRAP) {
                in.flip();
                if (!in.hasRemaining()) {
                    in.compact();
                    return;
                }
                var r = e.unwrap(in, app);
                in.compact();
                app.clear();
                if (r.getStatus() == javax.net.ssl.SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                    return;
                }
            } else {
                return;
            }
        }
    }
}
