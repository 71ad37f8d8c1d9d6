package io.parley.protocol.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** One self-signed certificate for localhost per test JVM, with matching server and client contexts. */
public final class TestTls {
    public static final char[] PASSWORD = "changeit".toCharArray();
    public static final KeyStore KEY_STORE;
    public static final SSLContext SERVER;
    public static final SSLContext CLIENT;

    static {
        try {
            KEY_STORE = TlsContexts.selfSigned("localhost", PASSWORD, Duration.ofDays(2));
            SERVER = TlsContexts.server(KEY_STORE, PASSWORD);
            CLIENT = TlsContexts.clientTrusting(KEY_STORE);
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private TestTls() {
    }
}
