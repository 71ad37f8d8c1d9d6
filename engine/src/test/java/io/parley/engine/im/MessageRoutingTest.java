package io.parley.engine.im;

import static io.parley.engine.testkit.Users.iqId;
import static io.parley.engine.testkit.Users.named;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.RawClient;
import io.parley.engine.testkit.TestNode;
import io.parley.engine.testkit.Users;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RFC 6121 section 8.5 and XEP-0160 on the wire. */
class MessageRoutingTest {

    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private RawClient session(String user, String resource, boolean register, int priority) {
        RawClient c = RawClient.connect(node.port(), node.clientTls());
        if (register) {
            c.register(user, "pw", resource);
        } else {
            c.login(user, "pw", resource);
        }
        c.send("<presence><priority>" + priority + "</priority></presence>");
        c.await(e -> e.name().equals("presence") && c.jid().toString().equals(e.attr("from")));
        return c;
    }

    private static void chat(RawClient from, String to, String body) {
        from.sendXml("<message to='" + to + "' type='chat'><body>" + body + "</body></message>");
    }

    @Test
    void bareJidGoesToTheHighestPriorityFullJidToItsResource() {
        String a = Users.fresh("sender");
        String b = Users.fresh("rcpt");
        try (RawClient s = session(a, "one", true, 0);
             RawClient low = session(b, "low", true, 1);
             RawClient high = session(b, "high", false, 10)) {
            chat(s, b + "@localhost", "to-bare");
            assertThat(Users.body(high.await(named("message")))).isEqualTo("to-bare");
            chat(s, b + "@localhost/low", "to-low");
            assertThat(Users.body(low.await(named("message")))).isEqualTo("to-low");
            // a chat to a resource that is not there goes to the bare JID's best resource
            chat(s, b + "@localhost/gone", "to-gone");
            assertThat(Users.body(high.await(named("message")))).isEqualTo("to-gone");
            // low never saw the bare-JID messages: the next thing it receives is this
            chat(s, b + "@localhost/low", "marker");
            assertThat(Users.body(low.await(named("message")))).isEqualTo("marker");
        }
    }

    @Test
    void negativePriorityGetsNoBareJidMessagesWhichGoOffline() {
        String a = Users.fresh("s2");
        String b = Users.fresh("neg");
        try (RawClient s = session(a, "r", true, 0)) {
            try (RawClient negative = session(b, "bot", true, -1)) {
                chat(s, b + "@localhost", "kept for later");
                chat(s, b + "@localhost/bot", "direct");
                assertThat(Users.body(negative.await(named("message")))).isEqualTo("direct");
            }
            try (RawClient later = session(b, "phone", false, 0)) {
                XmlElement stored = later.await(named("message"));
                assertThat(Users.body(stored)).isEqualTo("kept for later");
                assertThat(stored.element("delay", Namespaces.DELAY)).isNotNull();
            }
        }
    }

    @Test
    void offlineMessagesSurviveARestartInOrderWithDelayStamps() {
        String a = Users.fresh("writer");
        String b = Users.fresh("reader");
        try (RawClient r = RawClient.connect(node.port(), node.clientTls())) {
            r.register(b, "pw", "x");
        }
        Instant before = Instant.now().minusSeconds(1);
        try (RawClient s = session(a, "r", true, 0)) {
            for (int i = 0; i < 5; i++) {
                chat(s, b + "@localhost", "offline " + i);
            }
            // a chat state alone is not worth storing
            s.sendXml("<message to='" + b + "@localhost' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>");
            s.send("<iq type='get' id='sync'><ping xmlns='urn:xmpp:ping'/></iq>");
            s.await(iqId("sync"));
        }
        node.restart();
        try (RawClient r = session(b, "back", false, 0)) {
            for (int i = 0; i < 5; i++) {
                XmlElement m = r.await(named("message"));
                assertThat(Users.body(m)).isEqualTo("offline " + i);
                XmlElement delay = m.element("delay", Namespaces.DELAY);
                assertThat(delay.attr("from")).isEqualTo("localhost");
                assertThat(Instant.parse(delay.attr("stamp"))).isAfter(before);
            }
            // nothing more (the chat state was dropped): the next element is our own ping result
            r.send("<iq type='get' id='after'><ping xmlns='urn:xmpp:ping'/></iq>");
            assertThat(r.nextElement().attr("id")).isEqualTo("after");
        }
    }

    @Test
    void iqToAnUnavailableFullJidIsServiceUnavailableAndErrorsNeverLoop() {
        String a = Users.fresh("asker");
        String b = Users.fresh("absent");
        try (RawClient s = session(a, "r", true, 0)) {
            try (RawClient gone = RawClient.connect(node.port(), node.clientTls())) {
                gone.register(b, "pw", "x");
            }
            s.send("<iq type='get' id='v1' to='" + b + "@localhost/nowhere'><query xmlns='jabber:iq:version'/></iq>");
            XmlElement reply = s.await(iqId("v1"));
            assertThat(reply.attr("type")).isEqualTo("error");
            assertThat(reply.element("error", Namespaces.CLIENT).firstElement().name()).isEqualTo("service-unavailable");
            // an error stanza to nowhere is dropped silently: no error comes back for it
            s.send("<message type='error' to='" + b + "@localhost/nowhere' id='e1'><error type='cancel'>"
                    + "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
            s.send("<iq type='get' id='after'><ping xmlns='urn:xmpp:ping'/></iq>");
            assertThat(s.nextElement().attr("id")).isEqualTo("after");
            // an unknown namespace at the server: service-unavailable
            s.send("<iq type='get' id='u1'><query xmlns='urn:unknown'/></iq>");
            assertThat(s.await(iqId("u1")).element("error", Namespaces.CLIENT).firstElement().name()).isEqualTo("service-unavailable");
            // a remote domain: remote-server-not-found
            s.sendXml("<message to='someone@elsewhere.example' type='chat' id='r1'><body>hi</body></message>");
            XmlElement remote = s.await(named("message"));
            assertThat(remote.element("error", Namespaces.CLIENT).firstElement().name()).isEqualTo("remote-server-not-found");
            // a malformed address: jid-malformed
            s.sendXml("<message to='a@b@c' type='chat' id='j1'><body>hi</body></message>");
            assertThat(s.await(named("message")).element("error", Namespaces.CLIENT).firstElement().name()).isEqualTo("jid-malformed");
        }
    }
}
