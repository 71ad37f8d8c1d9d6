package io.parley.engine.ext.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.FakeSession;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlReader;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** XEP-0191 section 3.4 as the session's inbound hook, without a connection. */
class BlockingExtensionTest {

    final FakeSession session = new FakeSession(Jid.of("alice@localhost/r"));

    private XmlElement hook(String xml) {
        XmlElement stanza = XmlReader.parse(xml);
        return BlockingExtension.refuseBlocked(session, stanza, Jid.ofOrNull(stanza.attr("to")));
    }

    @Test
    void stanzasToABlockedEntityGoNowhereAndRequestsLearnWhy() {
        session.put(BlockingExtension.BLOCKED, BlockingExtension.Blocked.of(Set.of(Jid.of("bob@localhost"), Jid.of("spam.example"))));
        assertThat(hook("<message xmlns='jabber:client' from='alice@localhost/r' to='bob@localhost/phone' id='1'><body>x</body></message>"))
                .as("a blocked bare JID covers its full JIDs").isNull();
        XmlElement error = session.sent.remove(0);
        assertThat(error.attr("type")).isEqualTo("error");
        assertThat(error.element("error", "jabber:client").element("not-acceptable", "urn:ietf:params:xml:ns:xmpp-stanzas")).isNotNull();
        assertThat(error.element("error", "jabber:client").element("blocked", "urn:xmpp:blocking:errors")).isNotNull();

        assertThat(hook("<iq xmlns='jabber:client' type='get' id='2' from='alice@localhost/r' to='x@spam.example'>"
                + "<query xmlns='jabber:iq:version'/></iq>")).as("a blocked domain covers everything at it").isNull();
        assertThat(session.sent.remove(0).attr("id")).isEqualTo("2");

        assertThat(hook("<presence xmlns='jabber:client' from='alice@localhost/r' to='bob@localhost'/>")).isNull();
        assertThat(hook("<iq xmlns='jabber:client' type='result' id='3' from='alice@localhost/r' to='bob@localhost/phone'/>")).isNull();
        assertThat(hook("<message xmlns='jabber:client' type='error' from='alice@localhost/r' to='bob@localhost'/>")).isNull();
        assertThat(session.sent).as("presence, results and errors are dropped without an answer").isEmpty();
    }

    @Test
    void everythingElsePassesAsItIs() {
        XmlElement m = XmlReader.parse("<message xmlns='jabber:client' from='alice@localhost/r' to='carol@localhost'><body>x</body></message>");
        assertThat(BlockingExtension.refuseBlocked(session, m, Jid.of("carol@localhost"))).as("no list yet").isSameAs(m);
        session.put(BlockingExtension.BLOCKED, BlockingExtension.Blocked.of(Set.of(Jid.of("bob@localhost"))));
        assertThat(BlockingExtension.refuseBlocked(session, m, Jid.of("carol@localhost"))).isSameAs(m);
        XmlElement broadcast = XmlReader.parse("<presence xmlns='jabber:client' from='alice@localhost/r'/>");
        assertThat(BlockingExtension.refuseBlocked(session, broadcast, null)).as("broadcast presence").isSameAs(broadcast);
        assertThat(session.sent).isEmpty();
    }

    /** The session's copy answers as the user entity's list does (XEP-0191 3.3.1), for every kind of address on either side. */
    @Test
    void theSessionsCopyCoversWhatTheListCovers() {
        List<Jid> all = List.of(Jid.of("bob@localhost"), Jid.of("bob@localhost/phone"), Jid.of("bob@localhost/desk"),
                Jid.of("carol@localhost"), Jid.of("localhost"), Jid.of("spam.example"), Jid.of("x@spam.example/r"));
        for (Jid blockedOne : all) {
            for (Jid blockedTwo : all) {
                BlockingFeature.BlockedJids list = new BlockingFeature.BlockedJids(new java.util.HashSet<>(List.of(blockedOne, blockedTwo)));
                BlockingExtension.Blocked copy = BlockingExtension.Blocked.of(list.blocked());
                for (Jid to : all) {
                    assertThat(copy.covers(to)).as("%s blocked, to %s", list.blocked(), to).isEqualTo(list.covers(to));
                }
            }
        }
    }
}
