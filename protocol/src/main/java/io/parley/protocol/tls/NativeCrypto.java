package io.parley.protocol.tls;

import java.security.Provider;
import java.security.Security;

/**
 * Puts the Amazon Corretto Crypto Provider (native AWS-LC code behind the standard JCA
 * interfaces) ahead of the JDK's own providers, where its library loads and passes its self
 * test. The JDK's TLS then does its key exchanges, signatures and record encryption natively:
 * on JDK 17 the pure-Java X25519 and P-256 arithmetic is most of what a TLS handshake costs.
 * Anywhere else (another OS or CPU, a library that fails its checks) nothing changes.
 */
public final class NativeCrypto {

    private static final String NAME = "AmazonCorrettoCryptoProvider";
    private static volatile String status = "not requested";

    private NativeCrypto() {
    }

    /** Installs the provider if it works here; returns whether it is installed. Idempotent. */
    public static synchronized boolean install() {
        if (Security.getProvider(NAME) != null) {
            return true;
        }
        try {
            Class<?> c = Class.forName("com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider");
            Provider p = (Provider) c.getField("INSTANCE").get(null);
            Throwable loading = (Throwable) c.getMethod("getLoadingError").invoke(p);
            if (loading != null) {
                status = "unavailable: " + loading;
                return false;
            }
            c.getMethod("assertHealthy").invoke(p);
            Security.insertProviderAt(p, 1);
            status = p.getName() + " " + p.getVersionStr();
            return true;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Security.removeProvider(NAME);
            status = "unavailable: " + (e.getCause() != null ? e.getCause() : e);
            return false;
        }
    }

    /** What {@link #install()} found, for the start-up log. */
    public static String status() {
        return status;
    }
}
