package io.parley.engine.im;

import static io.parley.engine.testkit.Users.iqId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.engine.testkit.RawClient;
import io.parley.engine.testkit.TestNode;
import io.parley.engine.testkit.Users;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** XEP-0077 and XEP-0012 on the wire: removal takes everything with it, registrations are rate-limited. */
class AccountsTest {

    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private RawClient registered(String user) {
        RawClient c = RawClient.connect(node.port(), node.clientTls());
        c.register(user, "pw", "r");
        return c;
    }

    private static String errorOf(XmlElement iq) {
        return iq.element("error", Namespaces.CLIENT).firstElement().name();
    }

    @Test
    void removalTakesRosterOfflineMessagesAndVcardAlong() {
        String gone = Users.fresh("gone");
        String friend = Users.fresh("friend");
        try (RawClient f = registered(friend); RawClient g = registered(gone)) {
            g.send("<iq type='set' id='v'><vCard xmlns='vcard-temp'><FN>Gone Soon</FN></vCard></iq>");
            g.await(iqId("v"));
            g.send("<iq type='set' id='r'><query xmlns='jabber:iq:roster'><item jid='" + friend + "@localhost'/></query></iq>");
            g.await(iqId("r"));
            g.send("<iq type='set' id='rm' to='localhost'><query xmlns='jabber:iq:register'><remove/></query></iq>");
            assertThat(g.await(iqId("rm")).attr("type")).isEqualTo("result");
            g.expectClosed();
            // the name is free again, with nothing left of the old account
            try (RawClient again = registered(gone)) {
                again.send("<iq type='get' id='v2'><vCard xmlns='vcard-temp'/></iq>");
                assertThat(again.await(iqId("v2")).element("vCard", "vcard-temp").hasChildren()).isFalse();
                again.send("<iq type='get' id='r2'><query xmlns='jabber:iq:roster'/></iq>");
                assertThat(again.await(iqId("r2")).element("query", Namespaces.ROSTER).elements()).isEmpty();
            }
            // logging in with the removed account's session is impossible: it was closed, and others see a fresh account
            f.send("<iq type='get' id='d' to='" + gone + "@localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
            assertThat(f.await(iqId("d")).attr("type")).isEqualTo("result");
        }
    }

    @Test
    void registrationsPerAddressAreLimited() {
        try (TestNode limited = TestNode.start(Map.of("parley.registration.per-address-per-hour", 3))) {
            for (int i = 0; i < 3; i++) {
                try (RawClient c = RawClient.connect(limited.port(), limited.clientTls())) {
                    c.register(Users.fresh("burst"), "pw", "r");
                }
            }
            try (RawClient c = RawClient.connect(limited.port(), limited.clientTls())) {
                assertThatThrownBy(() -> c.register(Users.fresh("burst"), "pw", "r"))
                        .isInstanceOf(RawClient.NegotiationFailed.class).hasMessageContaining("resource-constraint");
            }
        }
    }

    @Test
    void lastActivityNeedsASubscriptionAndCountsFromTheLastLogout() {
        String watched = Users.fresh("watched");
        String watcher = Users.fresh("watcher");
        try (RawClient w = registered(watcher).available()) {
            try (RawClient d = registered(watched)) {
                w.send("<presence to='" + watched + "@localhost' type='subscribe'/>");
                d.send("<presence/>");
                d.await(e -> e.name().equals("presence") && "subscribe".equals(e.attr("type")));
                d.send("<presence to='" + watcher + "@localhost' type='subscribed'/>");
                d.send("<presence type='unavailable'><status>gone fishing</status></presence>");
                // the watcher hears it go only after its user entity took the unavailable presence, so
                // the last-activity query below reaches the entity after it (a ping to the server did not:
                // the connection answers that itself, and the query could overtake the presence)
                w.await(e -> e.name().equals("presence") && "unavailable".equals(e.attr("type"))
                        && e.attr("from") != null && e.attr("from").startsWith(watched + "@localhost/"));
            }
            w.send("<iq type='get' id='l1' to='" + watched + "@localhost'><query xmlns='jabber:iq:last'/></iq>");
            XmlElement last = w.await(iqId("l1"));
            assertThat(last.attr("type")).isEqualTo("result");
            XmlElement q = last.element("query", "jabber:iq:last");
            assertThat(Long.parseLong(q.attr("seconds"))).isGreaterThanOrEqualTo(0);
            assertThat(q.text()).isEqualTo("gone fishing");
            try (RawClient stranger = registered(Users.fresh("stranger"))) {
                stranger.send("<iq type='get' id='l2' to='" + watched + "@localhost'><query xmlns='jabber:iq:last'/></iq>");
                assertThat(errorOf(stranger.await(iqId("l2")))).isEqualTo("forbidden");
            }
            w.send("<iq type='get' id='up' to='localhost'><query xmlns='jabber:iq:last'/></iq>");
            assertThat(w.await(iqId("up")).element("query", "jabber:iq:last").attr("seconds")).isNotNull();
        }
    }
}
