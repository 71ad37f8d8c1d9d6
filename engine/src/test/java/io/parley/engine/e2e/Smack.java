package io.parley.engine.e2e;

import io.parley.engine.testkit.TestNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.SmackConfiguration;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.iqregister.AccountManager;
import org.jxmpp.jid.parts.Localpart;

/** Smack 4.4.8 clients against a test node: trusting its certificate properly, not trusting everything. */
final class Smack {

    static {
        // Smack finds its StAX parser through XMLInputFactory; with Aalto (ours) on the class path it would
        // get Aalto, which reports "" for a default-namespace prefix where Smack asserts null (Smack's
        // StandardExtensionElementProvider, fatal to its reader thread under -ea). Give Smack the JDK's own
        // StAX, as a typical application has; Parley itself creates its Aalto and Woodstox readers directly.
        // Smack reads the property once, when its first class initialises (`new XMPPTCPConnection(...)`
        // initialises Smack before its arguments run), so the engine's surefire configuration sets it too.
        System.setProperty("javax.xml.stream.XMLInputFactory", "com.sun.xml.internal.stream.XMLInputFactoryImpl");
        SmackConfiguration.setDefaultReplyTimeout(10_000);
        XMPPTCPConnection.setUseStreamManagementDefault(false);
        Roster.setDefaultSubscriptionMode(Roster.SubscriptionMode.manual);
        SmackConfiguration.DEBUG = Boolean.getBoolean("smack.debug");
    }

    private Smack() {
    }

    static X509TrustManager trust(TestNode node) {
        return trust(node.dataDir());
    }

    /** Trusts the certificate a node with this data directory generated. */
    static X509TrustManager trust(java.nio.file.Path dataDir) {
        try {
            KeyStore ks = io.parley.protocol.tls.TlsContexts.loadOrCreate(dataDir.resolve("tls.p12"), "localhost",
                    "changeit".toCharArray());
            KeyStore certs = KeyStore.getInstance("PKCS12");
            certs.load(null, null);
            certs.setCertificateEntry("parley", ks.getCertificate("parley"));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(certs);
            return (X509TrustManager) tmf.getTrustManagers()[0];
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static XMPPTCPConnectionConfiguration.Builder config(TestNode node, String user, String password, String resource) {
        return config(node.port(), node.dataDir(), user, password, resource);
    }

    /** A client of a node on this port whose data directory holds its certificate (a node in another process). */
    static XMPPTCPConnectionConfiguration.Builder config(int port, java.nio.file.Path dataDir, String user, String password,
                                                         String resource) {
        try {
            XMPPTCPConnectionConfiguration.Builder b = XMPPTCPConnectionConfiguration.builder()
                    .setXmppDomain("localhost")
                    .setHost("127.0.0.1")
                    .setPort(port)
                    .setSecurityMode(ConnectionConfiguration.SecurityMode.required)
                    .setCustomX509TrustManager(trust(dataDir))
                    .setConnectTimeout(5000);
            if (user != null) {
                b.setUsernameAndPassword(user, password);
            }
            if (resource != null) {
                b.setResource(resource);
            }
            return b;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Logs in over STARTTLS. */
    static XMPPTCPConnection login(TestNode node, String user, String password, String resource) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(config(node, user, password, resource).build());
        c.connect().login();
        return c;
    }

    /** Logs in to a node on this port (another process) over STARTTLS. */
    static XMPPTCPConnection login(int port, java.nio.file.Path dataDir, String user, String password, String resource) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(config(port, dataDir, user, password, resource).build());
        c.connect().login();
        return c;
    }

    /**
     * Logs {@code user} in, approving (and asking back) any subscription request, and has
     * {@code a} add it under a name and group and subscribe; returns that connection once the
     * two are subscribed both ways.
     */
    static XMPPTCPConnection befriend(TestNode node, XMPPTCPConnection a, String user, String password, String resource,
                                      String name, String group) throws Exception {
        XMPPTCPConnection b = new XMPPTCPConnection(config(node, user, password, resource).build());
        org.jivesoftware.smack.roster.Roster.getInstanceFor(b).addSubscribeListener((from, p) ->
                org.jivesoftware.smack.roster.SubscribeListener.SubscribeAnswer.ApproveAndAlsoRequestIfRequired);
        b.connect().login();
        org.jivesoftware.smack.roster.Roster ar = org.jivesoftware.smack.roster.Roster.getInstanceFor(a);
        ar.addSubscribeListener((from, p) -> org.jivesoftware.smack.roster.SubscribeListener.SubscribeAnswer.Approve);
        org.jxmpp.jid.EntityBareJid jid = org.jxmpp.jid.impl.JidCreate.entityBareFrom(user + "@localhost");
        ar.createItemAndRequestSubscription(jid, name, new String[] {group});
        io.parley.engine.testkit.Awaits.until(user + " subscribed both ways", () -> {
            org.jivesoftware.smack.roster.RosterEntry e = ar.getEntry(jid);
            return e != null && e.getType() == org.jivesoftware.smack.roster.packet.RosterPacket.ItemType.both;
        });
        return b;
    }

    /**
     * Every stored offline message (XEP-0013), in the order the server sends them. Smack 4.4.8's
     * own getMessages() sends the fetch before it starts collecting and can miss the first
     * message from a fast server; this collects from before the fetch, as many as the count says.
     */
    static java.util.List<org.jivesoftware.smack.packet.Message> offlineMessages(XMPPTCPConnection c) throws Exception {
        org.jivesoftware.smackx.offline.OfflineMessageManager om = org.jivesoftware.smackx.offline.OfflineMessageManager.getInstanceFor(c);
        int count = om.getMessageCount();
        java.util.List<org.jivesoftware.smack.packet.Message> out = new java.util.ArrayList<>();
        try (org.jivesoftware.smack.StanzaCollector fetched = c.createStanzaCollector(
                new org.jivesoftware.smack.filter.AndFilter(org.jivesoftware.smack.filter.StanzaTypeFilter.MESSAGE,
                        new org.jivesoftware.smack.filter.StanzaExtensionFilter("offline", "http://jabber.org/protocol/offline")))) {
            om.getMessages();
            for (int i = 0; i < count; i++) {
                org.jivesoftware.smack.packet.Message m = fetched.nextResult(10_000);
                if (m == null) {
                    throw new AssertionError("offline message " + (i + 1) + " of " + count + " did not arrive");
                }
                out.add(m);
            }
        }
        return out;
    }

    /**
     * Connects and logs in, collecting the first {@code count} messages with a body the server
     * sends (the offline messages it floods at initial presence) from before the login, so none
     * is missed; each must come within {@code timeoutMs}.
     */
    static java.util.List<org.jivesoftware.smack.packet.Message> loginCollecting(XMPPTCPConnection c, int count, long timeoutMs)
            throws Exception {
        java.util.List<org.jivesoftware.smack.packet.Message> out = new java.util.ArrayList<>();
        try (org.jivesoftware.smack.StanzaCollector inbox = c.createStanzaCollector(
                org.jivesoftware.smack.filter.MessageWithBodiesFilter.INSTANCE)) {
            c.connect().login();
            for (int i = 0; i < count; i++) {
                org.jivesoftware.smack.packet.Message m = inbox.nextResult(timeoutMs);
                if (m == null) {
                    throw new AssertionError("message " + (i + 1) + " of " + count + " did not arrive");
                }
                out.add(m);
            }
        }
        return out;
    }

    /** Creates an account with in-band registration over STARTTLS, on a connection that does not log in. */
    static void register(TestNode node, String user, String password) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(config(node, null, null, null).build());
        try {
            c.connect();
            AccountManager.getInstance(c).createAccount(Localpart.from(user), password, new HashMap<>());
        } finally {
            c.disconnect();
        }
    }

    /** Logs in over Direct TLS (XEP-0368): TLS from the first byte, so Smack's own TLS is off. */
    static XMPPTCPConnection loginDirectTls(TestNode node, String user, String password, String resource) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {trust(node)}, null);
        XMPPTCPConnection c = new XMPPTCPConnection(config(node, user, password, resource)
                .setPort(node.directTlsPort())
                .setSecurityMode(ConnectionConfiguration.SecurityMode.disabled)
                .setSocketFactory(new SniSocketFactory(ctx.getSocketFactory()))
                .build());
        c.connect().login();
        return c;
    }

    /** Adds SNI for localhost to the sockets Smack creates itself. */
    private static final class SniSocketFactory extends SSLSocketFactory {
        private final SSLSocketFactory d;

        SniSocketFactory(SSLSocketFactory d) {
            this.d = d;
        }

        private Socket sni(Socket s) {
            SSLSocket ssl = (SSLSocket) s;
            SSLParameters p = ssl.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName("localhost")));
            p.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(p);
            return ssl;
        }

        @Override
        public Socket createSocket() throws IOException {
            return sni(d.createSocket());
        }

        @Override
        public Socket createSocket(Socket s, String h, int p, boolean a) throws IOException {
            return d.createSocket(s, h, p, a);
        }

        @Override
        public Socket createSocket(String h, int p) throws IOException {
            return sni(d.createSocket(h, p));
        }

        @Override
        public Socket createSocket(String h, int p, InetAddress l, int lp) throws IOException {
            return sni(d.createSocket(h, p, l, lp));
        }

        @Override
        public Socket createSocket(InetAddress h, int p) throws IOException {
            return sni(d.createSocket(h, p));
        }

        @Override
        public Socket createSocket(InetAddress h, int p, InetAddress l, int lp) throws IOException {
            return sni(d.createSocket(h, p, l, lp));
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return d.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return d.getSupportedCipherSuites();
        }
    }
}
