package io.parley.protocol.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * TLS plumbing shared by the server, the bench's clients and tests: a self-signed certificate
 * for a domain (generated with BouncyCastle and kept in a PKCS#12 file), server contexts from a
 * key store, client contexts trusting one certificate or (bench only) anything.
 */
public final class TlsContexts {

    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private TlsContexts() {
    }

    /**
     * A key store holding a new key pair and a self-signed certificate for the domain (and its
     * subdomains, and localhost), valid for the given time.
     */
    public static KeyStore selfSigned(String domain, char[] password, Duration validity) throws GeneralSecurityException {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(256);
            KeyPair pair = gen.generateKeyPair();
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=" + domain);
            List<GeneralName> names = new ArrayList<>();
            names.add(new GeneralName(GeneralName.dNSName, domain));
            names.add(new GeneralName(GeneralName.dNSName, "*." + domain));
            if (!domain.equals("localhost")) {
                names.add(new GeneralName(GeneralName.dNSName, "localhost"));
            }
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(validity)), name, pair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("parley", pair.getPrivate(), password, new X509Certificate[] {cert});
            return ks;
        } catch (GeneralSecurityException e) {
            throw e;
        } catch (Exception e) {
            throw new GeneralSecurityException("cannot create a self-signed certificate for " + domain, e);
        }
    }

    /** Loads a PKCS#12 key store, or creates a self-signed one there when the file does not exist. */
    public static KeyStore loadOrCreate(Path file, String domain, char[] password) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                ks.load(in, password);
            }
            return ks;
        }
        ks = selfSigned(domain, password, Duration.ofDays(3650));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ks.store(out, password);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return ks;
    }

    /** A server context from a key store. */
    public static SSLContext server(KeyStore keyStore, char[] password) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
        return ctx;
    }

    /** A client context that trusts the certificates of a key store (for example a server's self-signed one). */
    public static SSLContext clientTrusting(KeyStore trusted) throws GeneralSecurityException {
        KeyStore certsOnly = KeyStore.getInstance("PKCS12");
        try {
            certsOnly.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        for (String alias : java.util.Collections.list(trusted.aliases())) {
            certsOnly.setCertificateEntry(alias, trusted.getCertificate(alias));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(certsOnly);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }

    /** A client context that accepts any certificate: for load generators against test servers only. */
    public static SSLContext clientTrustingAnything() throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        return ctx;
    }

    /** A server-mode engine with modern protocols only. */
    public static SSLEngine serverEngine(SSLContext ctx) {
        SSLEngine e = ctx.createSSLEngine();
        e.setUseClientMode(false);
        e.setEnabledProtocols(PROTOCOLS);
        return e;
    }

    /** A client-mode engine for a host, checking the certificate's name (HTTPS rules) when asked. */
    public static SSLEngine clientEngine(SSLContext ctx, String host, int port, boolean verifyHostname) {
        SSLEngine e = ctx.createSSLEngine(host, port);
        e.setUseClientMode(true);
        e.setEnabledProtocols(PROTOCOLS);
        if (verifyHostname) {
            javax.net.ssl.SSLParameters p = e.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            e.setSSLParameters(p);
        }
        return e;
    }
}
