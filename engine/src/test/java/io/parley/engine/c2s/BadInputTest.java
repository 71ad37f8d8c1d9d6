package io.parley.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.engine.testkit.RawClient;
import io.parley.engine.testkit.TestNode;
import io.parley.protocol.sasl.SaslMechanism;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.xml.XmlElement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile and broken input on real sockets: each gets the stream error RFC 6120 names and a
 * closed connection, while two other clients keep chatting through all of it.
 */
class BadInputTest {

    static TestNode node;
    RawClient alice;
    RawClient bob;
    int sent;

    @BeforeAll
    static void start() {
        node = TestNode.start(Map.of("parley.c2s.max-stanza-size", 65536, "parley.c2s.max-depth", 32));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @BeforeEach
    void chatters() {
        alice = RawClient.connect(node.port(), node.clientTls());
        bob = RawClient.connect(node.port(), node.clientTls());
        String suffix = Long.toHexString(System.nanoTime());
        alice.register("alice" + suffix, "pw-alice", "r");
        bob.register("bob" + suffix, "pw-bob", "r");
        alice.available();
        bob.available();
    }

    @AfterEach
    void chatStillWorks() {
        sent++;
        alice.sendXml("<message to='" + bob.jid().bare() + "' type='chat'><body>still here " + sent + "</body></message>");
        XmlElement m = bob.await(e -> e.name().equals("message"));
        assertThat(m.elementText("body", "jabber:client")).isEqualTo("still here " + sent);
        alice.close();
        bob.close();
    }

    private RawClient raw() {
        return RawClient.connect(node.port(), node.clientTls());
    }

    @Test
    void malformedXml() {
        try (RawClient c = raw()) {
            c.openStream().send("<message><body>oops</message>");
            c.expectStreamError(StreamErrorCondition.NOT_WELL_FORMED);
        }
    }

    @Test
    void billionLaughs() {
        try (RawClient c = raw()) {
            c.send("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;'>"
                    + "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;'>]><stream:stream xmlns='jabber:client'"
                    + " xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>&lol3;");
            c.expectStreamError(StreamErrorCondition.RESTRICTED_XML);
        }
    }

    @Test
    void oversizedStanza() {
        try (RawClient c = raw()) {
            c.openStream().send("<message><body>" + "x".repeat(70_000) + "</body></message>");
            c.expectStreamError(StreamErrorCondition.POLICY_VIOLATION);
        }
    }

    @Test
    void deepNesting() {
        try (RawClient c = raw()) {
            c.openStream().send("<message>" + "<a>".repeat(40));
            c.expectStreamError(StreamErrorCondition.POLICY_VIOLATION);
        }
    }

    @Test
    void wrongStreamNamespace() {
        try (RawClient c = raw()) {
            c.send("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='urn:wrong' to='localhost' version='1.0'>");
            c.expectStreamError(StreamErrorCondition.INVALID_NAMESPACE);
        }
    }

    @Test
    void wrongContentNamespace() {
        try (RawClient c = raw()) {
            c.send("<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'"
                    + " to='localhost' version='1.0'>");
            c.expectStreamError(StreamErrorCondition.INVALID_NAMESPACE);
        }
    }

    @Test
    void unknownHost() {
        try (RawClient c = raw()) {
            c.send("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
                    + " to='elsewhere.example' version='1.0'>");
            c.expectStreamError(StreamErrorCondition.HOST_UNKNOWN);
        }
    }

    @Test
    void oldStreamVersion() {
        try (RawClient c = raw()) {
            c.send("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
                    + " to='localhost'>");
            c.expectStreamError(StreamErrorCondition.UNSUPPORTED_VERSION);
        }
    }

    @Test
    void stanzasBeforeAuthentication() {
        try (RawClient c = raw()) {
            c.openStream().send("<message to='" + bob.jid().bare() + "'><body>spam</body></message>");
            c.expectStreamError(StreamErrorCondition.NOT_AUTHORIZED);
        }
    }

    @Test
    void authenticationBeforeTlsIsRefused() {
        try (RawClient c = raw()) {
            c.openStream();
            c.await(e -> e.name().equals("features"));
            c.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGEAYg==</auth>");
            XmlElement failure = c.nextElement();
            assertThat(failure.name()).isEqualTo("failure");
            assertThat(failure.firstElement().name()).isEqualTo("encryption-required");
        }
    }

    @Test
    void repeatedWrongPasswordsCloseTheStream() {
        try (RawClient c = raw()) {
            assertThatThrownBy(() -> c.login(alice.jid().local(), "wrong", "x")).hasMessageContaining("not-authorized");
            // the negotiator gave up after the first failure; keep trying on the same stream by hand
            for (int i = 0; i < 2; i++) {
                c.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>"
                        + java.util.Base64.getEncoder().encodeToString(("\0" + alice.jid().local() + "\0bad" + i).getBytes()) + "</auth>");
                if (i < 1) {
                    assertThat(c.nextElement().name()).isEqualTo("failure");
                }
            }
            c.expectStreamError(StreamErrorCondition.POLICY_VIOLATION);
        }
    }

    @Test
    void spoofedFrom() {
        try (RawClient c = raw()) {
            String user = "mallory" + Long.toHexString(System.nanoTime());
            c.register(user, "pw", "r");
            c.sendXml("<message from='" + alice.jid() + "' to='" + bob.jid() + "'><body>I am alice</body></message>");
            c.expectStreamError(StreamErrorCondition.INVALID_FROM);
        }
    }

    @Test
    void unknownTopLevelElement() {
        try (RawClient c = raw()) {
            c.register("eve" + Long.toHexString(System.nanoTime()), "pw", "r");
            c.send("<foo xmlns='urn:example'/>");
            c.expectStreamError(StreamErrorCondition.UNSUPPORTED_STANZA_TYPE);
        }
    }

    @Test
    void plainIsOfferedOnlyUnderTlsAndWorks() {
        try (RawClient c = raw()) {
            assertThat(c.login(alice.jid().local(), "pw-alice", "plain-resource", SaslMechanism.PLAIN).resource())
                    .isEqualTo("plain-resource");
        }
    }
}
