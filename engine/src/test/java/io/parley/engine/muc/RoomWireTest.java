package io.parley.engine.muc;

import static io.parley.engine.testkit.Users.iqId;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.Awaits;
import io.parley.engine.testkit.RawClient;
import io.parley.engine.testkit.TestNode;
import io.parley.engine.testkit.Users;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Multi-User Chat on the wire, where the exact stanzas matter: nick changes (XEP-0045 7.6),
 * the owner's operation log, the room list's XEP-0059 pages, and configuration by a non-owner.
 */
class RoomWireTest {

    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static RawClient user(String prefix) {
        RawClient c = RawClient.connect(node.port(), node.clientTls());
        c.register(Users.fresh(prefix), "pw", "r");
        return c.available();
    }

    private static Predicate<XmlElement> presenceFrom(String from, boolean unavailable) {
        return e -> e.name().equals("presence") && from.equals(e.attr("from"))
                && (unavailable == "unavailable".equals(e.attr("type")));
    }

    private static List<String> codes(XmlElement presence) {
        XmlElement x = presence.element("x", Namespaces.MUC_USER);
        return x == null ? List.of() : x.elements("status", Namespaces.MUC_USER).stream().map(s -> s.attr("code")).toList();
    }

    /** Creates an instant room (join, then an empty submitted form) with the owner in it as {@code nick}. */
    private static String instantRoom(RawClient owner, String prefix, String nick) {
        String room = Users.fresh(prefix) + "@conference.localhost";
        owner.sendXml("<presence to='" + room + "/" + nick + "'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
        assertThat(codes(owner.await(presenceFrom(room + "/" + nick, false)))).contains("110", "201");
        owner.sendXml("<iq type='set' id='cfg' to='" + room + "'><query xmlns='http://jabber.org/protocol/muc#owner'>"
                + "<x xmlns='jabber:x:data' type='submit'/></query></iq>");
        assertThat(owner.await(iqId("cfg")).attr("type")).isEqualTo("result");
        return room;
    }

    private static void join(RawClient c, String room, String nick) {
        c.sendXml("<presence to='" + room + "/" + nick + "'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
        c.await(presenceFrom(room + "/" + nick, false));
    }

    @Test
    void aNickChangeIsUnavailableWith303ThenAvailableUnderTheNewNickAndATakenNickIsAConflict() {
        try (RawClient alice = user("nick-a"); RawClient bob = user("nick-b")) {
            String room = instantRoom(alice, "nicks", "alice");
            join(bob, room, "bob");
            alice.await(presenceFrom(room + "/bob", false));

            bob.sendXml("<presence to='" + room + "/robert'/>");
            XmlElement gone = bob.await(presenceFrom(room + "/bob", true));
            assertThat(codes(gone)).containsExactlyInAnyOrder("303", "110");
            assertThat(gone.element("x", Namespaces.MUC_USER).element("item", Namespaces.MUC_USER).attr("nick")).isEqualTo("robert");
            assertThat(codes(bob.await(presenceFrom(room + "/robert", false)))).contains("110");
            XmlElement othersSee = alice.await(presenceFrom(room + "/bob", true));
            assertThat(codes(othersSee)).containsExactly("303");
            assertThat(codes(alice.await(presenceFrom(room + "/robert", false)))).doesNotContain("110");

            bob.sendXml("<presence to='" + room + "/alice'/>");
            XmlElement refused = bob.await(e -> e.name().equals("presence") && "error".equals(e.attr("type")));
            assertThat(refused.attr("from")).isEqualTo(room + "/alice");
            assertThat(refused.element("error", Namespaces.CLIENT).element("conflict", Namespaces.STANZA_ERRORS)).isNotNull();
        }
    }

    @Test
    void theOwnerReadsTheOperationLogAndNobodyElseDoes() {
        try (RawClient alice = user("log-a"); RawClient bob = user("log-b")) {
            String room = instantRoom(alice, "logged", "alice");
            join(bob, room, "bob");
            alice.sendXml("<iq type='set' id='kick' to='" + room + "'><query xmlns='http://jabber.org/protocol/muc#admin'>"
                    + "<item nick='bob' role='none'><reason>spam</reason></item></query></iq>");
            assertThat(alice.await(iqId("kick")).attr("type")).isEqualTo("result");

            alice.sendXml("<iq type='get' id='log' to='" + room + "'><query xmlns='" + Namespaces.PARLEY_MUC_LOG + "'/></iq>");
            XmlElement log = alice.await(iqId("log")).element("query", Namespaces.PARLEY_MUC_LOG);
            List<String> actions = log.elements("op", Namespaces.PARLEY_MUC_LOG).stream().map(o -> o.attr("action")).toList();
            assertThat(actions).containsSubsequence("create", "join", "configure", "join", "kick");
            XmlElement kick = log.elements("op", Namespaces.PARLEY_MUC_LOG).stream()
                    .filter(o -> o.attr("action").equals("kick")).findFirst().orElseThrow();
            assertThat(kick.attr("by")).isEqualTo(alice.jid().bare().toString());
            assertThat(kick.attr("target")).isEqualTo("bob");

            alice.sendXml("<iq type='get' id='log2' to='" + room + "'><query xmlns='" + Namespaces.PARLEY_MUC_LOG + "'>"
                    + "<set xmlns='http://jabber.org/protocol/rsm'><max>1</max></set></query></iq>");
            List<XmlElement> last = alice.await(iqId("log2")).element("query", Namespaces.PARLEY_MUC_LOG)
                    .elements("op", Namespaces.PARLEY_MUC_LOG);
            assertThat(last).extracting(o -> o.attr("action")).containsExactly("kick");

            join(bob, room, "bob");
            bob.sendXml("<iq type='get' id='peek' to='" + room + "'><query xmlns='" + Namespaces.PARLEY_MUC_LOG + "'/></iq>");
            XmlElement refused = bob.await(iqId("peek"));
            assertThat(refused.attr("type")).isEqualTo("error");
            assertThat(refused.element("error", Namespaces.CLIENT).element("forbidden", Namespaces.STANZA_ERRORS)).isNotNull();
        }
    }

    @Test
    void configuringWithoutRightsIsForbiddenAndChangesNothing() {
        try (RawClient alice = user("cfg-a"); RawClient bob = user("cfg-b")) {
            String room = instantRoom(alice, "guarded", "alice");
            join(bob, room, "bob");
            bob.sendXml("<iq type='get' id='form' to='" + room + "'><query xmlns='http://jabber.org/protocol/muc#owner'/></iq>");
            assertThat(bob.await(iqId("form")).element("error", Namespaces.CLIENT).element("forbidden", Namespaces.STANZA_ERRORS))
                    .isNotNull();
            bob.sendXml("<iq type='set' id='set' to='" + room + "'><query xmlns='http://jabber.org/protocol/muc#owner'>"
                    + "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>"
                    + "http://jabber.org/protocol/muc#roomconfig</value></field>"
                    + "<field var='muc#roomconfig_membersonly'><value>1</value></field></x></query></iq>");
            assertThat(bob.await(iqId("set")).element("error", Namespaces.CLIENT).element("forbidden", Namespaces.STANZA_ERRORS))
                    .isNotNull();
            bob.sendXml("<iq type='set' id='gone' to='" + room + "'><query xmlns='http://jabber.org/protocol/muc#owner'>"
                    + "<destroy/></query></iq>");
            assertThat(bob.await(iqId("gone")).element("error", Namespaces.CLIENT).element("forbidden", Namespaces.STANZA_ERRORS))
                    .isNotNull();
            bob.sendXml("<iq type='get' id='info' to='" + room + "'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
            List<String> features = bob.await(iqId("info")).element("query", Namespaces.DISCO_INFO)
                    .elements("feature", Namespaces.DISCO_INFO).stream().map(f -> f.attr("var")).toList();
            assertThat(features).contains("muc_open").doesNotContain("muc_membersonly");
        }
    }

    @Test
    void aVisitorAsksForVoiceAndAModeratorGrantsIt() {
        try (RawClient alice = user("voice-a"); RawClient bob = user("voice-b")) {
            String room = Users.fresh("moderated") + "@conference.localhost";
            alice.sendXml("<presence to='" + room + "/alice'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
            alice.await(presenceFrom(room + "/alice", false));
            alice.sendXml("<iq type='set' id='cfg' to='" + room + "'><query xmlns='http://jabber.org/protocol/muc#owner'>"
                    + "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>"
                    + "http://jabber.org/protocol/muc#roomconfig</value></field>"
                    + "<field var='muc#roomconfig_moderatedroom'><value>1</value></field></x></query></iq>");
            assertThat(alice.await(iqId("cfg")).attr("type")).isEqualTo("result");
            bob.sendXml("<presence to='" + room + "/bob'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
            XmlElement entered = bob.await(presenceFrom(room + "/bob", false));
            assertThat(entered.element("x", Namespaces.MUC_USER).element("item", Namespaces.MUC_USER).attr("role")).isEqualTo("visitor");
            alice.await(presenceFrom(room + "/bob", false));

            bob.sendXml("<message to='" + room + "'><x xmlns='jabber:x:data' type='submit'>"
                    + "<field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#request</value></field>"
                    + "<field var='muc#role' type='list-single'><value>participant</value></field></x></message>");
            XmlElement request = alice.await(e -> e.name().equals("message") && room.equals(e.attr("from"))
                    && e.element("x", Namespaces.DATA_FORMS) != null);
            XmlElement form = request.element("x", Namespaces.DATA_FORMS);
            assertThat(form.attr("type")).isEqualTo("form");
            List<String> vars = form.elements("field", Namespaces.DATA_FORMS).stream().map(f -> f.attr("var")).toList();
            assertThat(vars).contains("FORM_TYPE", "muc#role", "muc#jid", "muc#roomnick", "muc#request_allow");

            alice.sendXml("<message to='" + room + "'><x xmlns='jabber:x:data' type='submit'>"
                    + "<field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#request</value></field>"
                    + "<field var='muc#role'><value>participant</value></field>"
                    + "<field var='muc#roomnick'><value>bob</value></field>"
                    + "<field var='muc#request_allow'><value>true</value></field></x></message>");
            XmlElement voiced = bob.await(presenceFrom(room + "/bob", false));
            assertThat(voiced.element("x", Namespaces.MUC_USER).element("item", Namespaces.MUC_USER).attr("role")).isEqualTo("participant");

            // a participant does not ask again; a non-moderator does not approve
            bob.sendXml("<message id='again' to='" + room + "'><x xmlns='jabber:x:data' type='submit'>"
                    + "<field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#request</value></field></x></message>");
            XmlElement again = bob.await(e -> e.name().equals("message") && "again".equals(e.attr("id")));
            assertThat(again.attr("type")).isEqualTo("error");
            assertThat(again.element("error", Namespaces.CLIENT).element("not-allowed", Namespaces.STANZA_ERRORS)).isNotNull();
        }
    }

    @Test
    void aRegisteredNickIsReservedForItsMemberAndDiscoverable() {
        try (RawClient alice = user("reg-a"); RawClient bob = user("reg-b"); RawClient carol = user("reg-c")) {
            String room = instantRoom(alice, "registry", "alice");
            bob.sendXml("<iq type='get' id='form' to='" + room + "'><query xmlns='jabber:iq:register'/></iq>");
            XmlElement form = bob.await(iqId("form")).element("query", Namespaces.IQ_REGISTER).element("x", Namespaces.DATA_FORMS);
            assertThat(form.elements("field", Namespaces.DATA_FORMS)).extracting(f -> f.attr("var"))
                    .contains("FORM_TYPE", "muc#register_roomnick");
            bob.sendXml("<iq type='set' id='reg' to='" + room + "'><query xmlns='jabber:iq:register'>"
                    + "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>"
                    + "http://jabber.org/protocol/muc#register</value></field>"
                    + "<field var='muc#register_roomnick'><value>Bobby</value></field></x></query></iq>");
            assertThat(bob.await(iqId("reg")).attr("type")).isEqualTo("result");

            // registered: a member, the nick shown in the member list, asked again: registered
            alice.sendXml("<iq type='get' id='members' to='" + room + "'><query xmlns='http://jabber.org/protocol/muc#admin'>"
                    + "<item affiliation='member'/></query></iq>");
            List<XmlElement> members = alice.await(iqId("members")).element("query", Namespaces.MUC_ADMIN)
                    .elements("item", Namespaces.MUC_ADMIN);
            assertThat(members).extracting(i -> i.attr("jid") + "/" + i.attr("nick")).containsExactly(bob.jid().bare() + "/Bobby");
            bob.sendXml("<iq type='get' id='again' to='" + room + "'><query xmlns='jabber:iq:register'/></iq>");
            XmlElement again = bob.await(iqId("again")).element("query", Namespaces.IQ_REGISTER);
            assertThat(again.element("registered", Namespaces.IQ_REGISTER)).isNotNull();
            assertThat(again.elementText("username", Namespaces.IQ_REGISTER)).isEqualTo("Bobby");
            bob.sendXml("<iq type='get' id='mine' to='" + room + "'><query xmlns='" + Namespaces.DISCO_INFO
                    + "' node='x-roomuser-item'/></iq>");
            XmlElement mine = bob.await(iqId("mine")).element("query", Namespaces.DISCO_INFO);
            assertThat(mine.element("identity", Namespaces.DISCO_INFO).attr("name")).isEqualTo("Bobby");

            // reserved: someone else may not take it, not even in another case
            carol.sendXml("<presence to='" + room + "/bobby'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
            XmlElement refused = carol.await(e -> e.name().equals("presence") && "error".equals(e.attr("type")));
            assertThat(refused.element("error", Namespaces.CLIENT).element("conflict", Namespaces.STANZA_ERRORS)).isNotNull();
            join(bob, room, "Bobby");

            // released: the membership goes with it, and the nick is free again
            bob.sendXml("<iq type='set' id='drop' to='" + room + "'><query xmlns='jabber:iq:register'><remove/></query></iq>");
            assertThat(bob.await(iqId("drop")).attr("type")).isEqualTo("result");
            alice.sendXml("<iq type='get' id='members2' to='" + room + "'><query xmlns='http://jabber.org/protocol/muc#admin'>"
                    + "<item affiliation='member'/></query></iq>");
            assertThat(alice.await(iqId("members2")).element("query", Namespaces.MUC_ADMIN).elements("item", Namespaces.MUC_ADMIN))
                    .isEmpty();
            bob.sendXml("<iq type='set' id='drop2' to='" + room + "'><query xmlns='jabber:iq:register'><remove/></query></iq>");
            assertThat(bob.await(iqId("drop2")).element("error", Namespaces.CLIENT).element("item-not-found", Namespaces.STANZA_ERRORS))
                    .isNotNull();
        }
    }

    @Test
    void theRoomListComesInPagesInJidOrder() {
        try (RawClient alice = user("pages")) {
            for (int i = 0; i < 5; i++) {
                instantRoom(alice, "paged" + i, "alice");
            }
            Awaits.until("five rooms listed", () -> {
                alice.sendXml("<iq type='get' id='all' to='conference.localhost'><query xmlns='" + Namespaces.DISCO_ITEMS + "'/></iq>");
                return alice.await(iqId("all")).element("query", Namespaces.DISCO_ITEMS).elements("item", Namespaces.DISCO_ITEMS).size() >= 5;
            });
            alice.sendXml("<iq type='get' id='p1' to='conference.localhost'><query xmlns='" + Namespaces.DISCO_ITEMS + "'>"
                    + "<set xmlns='http://jabber.org/protocol/rsm'><max>2</max></set></query></iq>");
            XmlElement p1 = alice.await(iqId("p1")).element("query", Namespaces.DISCO_ITEMS);
            List<String> first = p1.elements("item", Namespaces.DISCO_ITEMS).stream().map(i -> i.attr("jid")).toList();
            assertThat(first).hasSize(2).isSorted();
            XmlElement set1 = p1.element("set", Namespaces.RSM);
            int count = Integer.parseInt(set1.elementText("count", Namespaces.RSM));
            assertThat(count).isGreaterThanOrEqualTo(5);
            assertThat(set1.element("first", Namespaces.RSM).attr("index")).isEqualTo("0");
            assertThat(set1.elementText("last", Namespaces.RSM)).isEqualTo(first.get(1));

            alice.sendXml("<iq type='get' id='p2' to='conference.localhost'><query xmlns='" + Namespaces.DISCO_ITEMS + "'>"
                    + "<set xmlns='http://jabber.org/protocol/rsm'><max>2</max><after>" + first.get(1) + "</after></set></query></iq>");
            XmlElement p2 = alice.await(iqId("p2")).element("query", Namespaces.DISCO_ITEMS);
            List<String> second = p2.elements("item", Namespaces.DISCO_ITEMS).stream().map(i -> i.attr("jid")).toList();
            assertThat(second).hasSize(2);
            assertThat(second.get(0)).isGreaterThan(first.get(1));
            assertThat(p2.element("set", Namespaces.RSM).element("first", Namespaces.RSM).attr("index")).isEqualTo("2");

            alice.sendXml("<iq type='get' id='end' to='conference.localhost'><query xmlns='" + Namespaces.DISCO_ITEMS + "'>"
                    + "<set xmlns='http://jabber.org/protocol/rsm'><max>1</max><before/></set></query></iq>");
            List<XmlElement> lastPage = alice.await(iqId("end")).element("query", Namespaces.DISCO_ITEMS)
                    .elements("item", Namespaces.DISCO_ITEMS);
            assertThat(lastPage).hasSize(1);
            assertThat(lastPage.get(0).attr("jid")).isGreaterThanOrEqualTo(second.get(1));
        }
    }
}
