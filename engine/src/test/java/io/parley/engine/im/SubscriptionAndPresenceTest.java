package io.parley.engine.im;

import static io.parley.engine.testkit.Users.iqId;
import static io.parley.engine.testkit.Users.presence;
import static io.parley.engine.testkit.Users.rosterPush;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.RawClient;
import io.parley.engine.testkit.TestNode;
import io.parley.engine.testkit.Users;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RFC 6121 sections 2-4 on the wire: rosters, the subscription handshake, presence. */
class SubscriptionAndPresenceTest {

    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private RawClient registered(String user, String resource) {
        RawClient c = RawClient.connect(node.port(), node.clientTls());
        c.register(user, "pw-" + user, resource);
        return c;
    }

    private RawClient login(String user, String resource) {
        RawClient c = RawClient.connect(node.port(), node.clientTls());
        c.login(user, "pw-" + user, resource);
        return c;
    }

    private static XmlElement roster(RawClient c, String ver) {
        c.send("<iq type='get' id='roster-get'><query xmlns='jabber:iq:roster'" + (ver == null ? "" : " ver='" + ver + "'") + "/></iq>");
        return c.await(iqId("roster-get"));
    }

    @Test
    void handshakeWithAnOfflineContactThenPresenceFlowsBothWays() {
        String romeo = Users.fresh("romeo");
        String juliet = Users.fresh("juliet");
        // juliet exists but is offline
        registered(juliet, "balcony").close();
        try (RawClient r = registered(romeo, "orchard")) {
            assertThat(roster(r, null).element("query", Namespaces.ROSTER).elements()).isEmpty();
            r.available();
            r.send("<presence to='" + juliet + "@localhost' type='subscribe'/>");
            XmlElement push = r.await(rosterPush()).element("query", Namespaces.ROSTER).firstElement();
            assertThat(push.attr("jid")).isEqualTo(juliet + "@localhost");
            assertThat(push.attr("subscription")).isEqualTo("none");
            assertThat(push.attr("ask")).isEqualTo("subscribe");

            // juliet logs in later: the stored request is delivered at her initial presence
            try (RawClient j = login(juliet, "balcony")) {
                roster(j, null);
                j.send("<presence/>");
                XmlElement request = j.await(presence(romeo + "@localhost", "subscribe"));
                assertThat(request.attr("to")).isEqualTo(juliet + "@localhost");
                // she approves and asks back
                j.send("<presence to='" + romeo + "@localhost' type='subscribed'/>");
                XmlElement jpush = j.await(rosterPush()).element("query", Namespaces.ROSTER).firstElement();
                assertThat(jpush.attr("subscription")).isEqualTo("from");
                // romeo hears the approval, his roster says 'to', and he receives her presence (in any order)
                var got = r.awaitAll(presence(juliet + "@localhost", "subscribed"), rosterPush(),
                        presence(juliet + "@localhost/balcony", null));
                XmlElement rpush = got.get(1).element("query", Namespaces.ROSTER).firstElement();
                assertThat(rpush.attr("subscription")).isEqualTo("to");
                assertThat(rpush.attr("ask")).isNull();

                j.send("<presence to='" + romeo + "@localhost' type='subscribe'/>");
                r.await(presence(juliet + "@localhost", "subscribe"));
                r.send("<presence to='" + juliet + "@localhost' type='subscribed'/>");
                assertThat(r.await(rosterPush()).element("query", Namespaces.ROSTER).firstElement().attr("subscription"))
                        .isEqualTo("both");
                j.await(presence(romeo + "@localhost/orchard", null));

                // broadcast: a status change reaches the contact, unavailable on close too
                r.send("<presence><show>away</show><status>walking</status></presence>");
                XmlElement away = j.await(presence(romeo + "@localhost/orchard", null));
                assertThat(away.elementText("show", Namespaces.CLIENT)).isEqualTo("away");
                r.send("</stream:stream>");
                j.await(presence(romeo + "@localhost/orchard", "unavailable"));
            }
        }
    }

    @Test
    void probesGiveANewSessionItsContactsPresence() {
        String a = Users.fresh("ann");
        String b = Users.fresh("ben");
        try (RawClient ca = registered(a, "one"); RawClient cb = registered(b, "one")) {
            ca.available();
            cb.available();
            ca.send("<presence to='" + b + "@localhost' type='subscribe'/>");
            cb.await(presence(a + "@localhost", "subscribe"));
            cb.send("<presence to='" + a + "@localhost' type='subscribed'/>");
            ca.await(presence(b + "@localhost/one", null));
            // a second resource of ann gets ben's presence at once (probe) and her own first resource's
            try (RawClient ca2 = login(a, "two")) {
                ca2.send("<presence><priority>5</priority></presence>");
                ca2.awaitAll(presence(b + "@localhost/one", null), presence(a + "@localhost/one", null));
            }
        }
    }

    /** XEP-0153: the server adds the stored vCard photo's hash to presence, also in later sessions. */
    @Test
    void theAvatarHashOfTheStoredVCardRidesOnPresence() {
        String a = Users.fresh("ava");
        String b = Users.fresh("bea");
        byte[] photo = "not really a png".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String hash = java.util.HexFormat.of().formatHex(sha1(photo));
        try (RawClient cb = registered(b, "one")) {
            cb.available();
            try (RawClient ca = registered(a, "one")) {
                ca.available();
                ca.send("<presence to='" + b + "@localhost' type='subscribe'/>");
                cb.await(presence(a + "@localhost", "subscribe"));
                cb.send("<presence to='" + a + "@localhost' type='subscribed'/>");
                ca.await(presence(b + "@localhost/one", null));
                cb.send("<presence to='" + a + "@localhost' type='subscribe'/>");
                ca.await(presence(b + "@localhost", "subscribe"));
                ca.send("<presence to='" + b + "@localhost' type='subscribed'/>");
                cb.await(presence(a + "@localhost/one", null));
                ca.send("<iq type='set' id='v1'><vCard xmlns='vcard-temp'><PHOTO><TYPE>image/png</TYPE><BINVAL>"
                        + java.util.Base64.getEncoder().encodeToString(photo) + "</BINVAL></PHOTO></vCard></iq>");
                assertThat(ca.await(iqId("v1")).attr("type")).isEqualTo("result");
            }
            cb.await(presence(a + "@localhost/one", "unavailable"));
            // a later session of ava, which never touched its vCard, still announces the photo
            try (RawClient ca2 = login(a, "two")) {
                ca2.send("<presence><show>chat</show></presence>");
                XmlElement p = cb.await(presence(a + "@localhost/two", null));
                XmlElement x = p.element("x", "vcard-temp:x:update");
                assertThat(x).as("avatar update element in %s", p).isNotNull();
                assertThat(x.elementText("photo", "vcard-temp:x:update")).isEqualTo(hash);
            }
        }
    }

    private static byte[] sha1(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-1").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void rosterSetPushAndVersioning() {
        String u = Users.fresh("vera");
        try (RawClient c = registered(u, "r")) {
            XmlElement first = roster(c, "");
            String v0 = first.element("query", Namespaces.ROSTER).attr("ver");
            c.send("<iq type='set' id='s1'><query xmlns='jabber:iq:roster'><item jid='friend@localhost' name='Friend'>"
                    + "<group>Pals</group><group>Work</group></item></query></iq>");
            var pushAndResult = c.awaitAll(rosterPush(), iqId("s1"));
            XmlElement push = pushAndResult.get(0);
            assertThat(pushAndResult.get(1).attr("type")).isEqualTo("result");
            XmlElement pushed = push.element("query", Namespaces.ROSTER).firstElement();
            assertThat(pushed.attr("name")).isEqualTo("Friend");
            assertThat(pushed.elements("group", Namespaces.ROSTER)).hasSize(2);
            String v1 = push.element("query", Namespaces.ROSTER).attr("ver");
            assertThat(v1).isNotEqualTo(v0);
            // up to date: an empty result, no query
            XmlElement same = roster(c, v1);
            assertThat(same.attr("type")).isEqualTo("result");
            assertThat(same.element("query", Namespaces.ROSTER)).isNull();
            // one version behind: empty result, then the interim push
            XmlElement behind = roster(c, v0);
            assertThat(behind.element("query", Namespaces.ROSTER)).isNull();
            assertThat(c.await(rosterPush()).element("query", Namespaces.ROSTER).firstElement().attr("jid")).isEqualTo("friend@localhost");
            // errors named by RFC 6121 2.3.3 and 2.5.3
            c.send("<iq type='set' id='bad1'><query xmlns='jabber:iq:roster'><item jid='x@localhost'/><item jid='y@localhost'/></query></iq>");
            assertThat(c.await(iqId("bad1")).element("error", Namespaces.CLIENT).firstElement().name()).isEqualTo("bad-request");
            c.send("<iq type='set' id='bad2'><query xmlns='jabber:iq:roster'><item jid='x@localhost'><group/></item></query></iq>");
            assertThat(c.await(iqId("bad2")).element("error", Namespaces.CLIENT).firstElement().name()).isEqualTo("not-acceptable");
            c.send("<iq type='set' id='bad3'><query xmlns='jabber:iq:roster'><item jid='nobody@localhost' subscription='remove'/></query></iq>");
            assertThat(c.await(iqId("bad3")).element("error", Namespaces.CLIENT).firstElement().name()).isEqualTo("item-not-found");
            // remove: push with subscription='remove'
            c.send("<iq type='set' id='rm'><query xmlns='jabber:iq:roster'><item jid='friend@localhost' subscription='remove'/></query></iq>");
            assertThat(c.await(rosterPush()).element("query", Namespaces.ROSTER).firstElement().attr("subscription")).isEqualTo("remove");
            // removal since v1: the full roster comes back for v1
            assertThat(roster(c, v1).element("query", Namespaces.ROSTER)).isNotNull();
        }
    }

    @Test
    void preApprovalAutoAcceptsTheRequest() {
        String a = Users.fresh("pre");
        String b = Users.fresh("asker");
        try (RawClient ca = registered(a, "r"); RawClient cb = registered(b, "r")) {
            roster(ca, null);
            roster(cb, null); // subscribed notifications go to resources that asked for the roster
            ca.available();
            cb.available();
            ca.send("<presence to='" + b + "@localhost' type='subscribed'/>");
            XmlElement item = ca.await(rosterPush()).element("query", Namespaces.ROSTER).firstElement();
            assertThat(item.attr("approved")).isEqualTo("true");
            cb.send("<presence to='" + a + "@localhost' type='subscribe'/>");
            cb.awaitAll(presence(a + "@localhost", "subscribed"), presence(a + "@localhost/r", null));
            assertThat(ca.await(rosterPush()).element("query", Namespaces.ROSTER).firstElement().attr("subscription")).isEqualTo("from");
        }
    }

    @Test
    void directedPresenceIsWithdrawnWhenTheSessionEnds() {
        String a = Users.fresh("dir");
        String b = Users.fresh("target");
        try (RawClient cb = registered(b, "r")) {
            cb.available();
            try (RawClient ca = registered(a, "r")) {
                ca.send("<presence to='" + b + "@localhost/r'><status>psst</status></presence>");
                assertThat(cb.await(presence(a + "@localhost/r", null)).elementText("status", Namespaces.CLIENT)).isEqualTo("psst");
            }
            cb.await(presence(a + "@localhost/r", "unavailable"));
        }
    }
}
