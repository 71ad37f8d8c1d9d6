package io.parley.engine.muc;

import static io.parley.engine.muc.RoomKit.codes;
import static io.parley.engine.muc.RoomKit.errorCondition;
import static io.parley.engine.muc.RoomKit.events;
import static io.parley.engine.muc.RoomKit.field;
import static io.parley.engine.muc.RoomKit.next;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.TestProbe;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import org.junit.jupiter.api.Test;

/** {@link Configuration}: the owner's form, its submission, and destroying the room. */
class ConfigurationTest extends RoomTests {

    @Test
    void onlyTheOwnerGetsTheFormAndASubmissionChangesTheRoomWithStatusCodesToOccupants() {
        RoomKit k = room();
        TestProbe<ConnectionMessage> owner = k.instant("alice@localhost/r", "alice");
        k.send(null, "<iq xmlns='jabber:client' type='get' id='f1' from='bob@localhost/r' to='" + k.room + "'>"
                + "<query xmlns='http://jabber.org/protocol/muc#owner'/></iq>");
        assertThat(errorCondition(k.reply("f1"))).isEqualTo("forbidden");
        k.send(null, "<iq xmlns='jabber:client' type='get' id='f2' from='alice@localhost/r' to='" + k.room + "'>"
                + "<query xmlns='http://jabber.org/protocol/muc#owner'/></iq>");
        XmlElement form = k.reply("f2").element("query", Namespaces.MUC_OWNER).element("x", Namespaces.DATA_FORMS);
        assertThat(form.attr("type")).isEqualTo("form");

        var result = k.send(null, "<iq xmlns='jabber:client' type='set' id='s' from='alice@localhost/r' to='" + k.room + "'>"
                + "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'>"
                + field("muc#roomconfig_roomname", "Tea") + field("muc#roomconfig_whois", "anyone") + "</x></query></iq>");
        assertThat(k.reply("s").attr("type")).isEqualTo("result");
        assertThat(events(result, RoomEntity.RoomConfigured.class)).hasSize(1);
        assertThat(k.entity.getState().config().name()).isEqualTo("Tea");
        XmlElement notice = next(owner, e -> e.name().equals("message") && e.element("x", Namespaces.MUC_USER) != null);
        assertThat(codes(notice)).contains("172", "104");
    }

    @Test
    void cancellingTheFirstFormDestroysTheLockedRoom() {
        RoomKit k = room();
        TestProbe<ConnectionMessage> owner = k.join("alice@localhost/r", "alice", "");
        next(owner, k.presenceFrom("alice"));
        var result = k.send(null, "<iq xmlns='jabber:client' type='set' id='c' from='alice@localhost/r' to='" + k.room + "'>"
                + "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='cancel'/></query></iq>");
        assertThat(k.reply("c").attr("type")).isEqualTo("result");
        assertThat(events(result, RoomEntity.RoomDestroyed.class)).hasSize(1);
        assertThat(k.entity.getState().exists()).isFalse();
    }

    @Test
    void destroyingTellsEveryOccupantTheAlternateVenue() {
        RoomKit k = room();
        k.instant("alice@localhost/r", "alice");
        TestProbe<ConnectionMessage> bob = k.join("bob@localhost/r", "bob", "");
        next(bob, k.presenceFrom("bob"));
        k.send(null, "<iq xmlns='jabber:client' type='set' id='d' from='alice@localhost/r' to='" + k.room + "'>"
                + "<query xmlns='http://jabber.org/protocol/muc#owner'><destroy jid='new@conference.localhost'><reason>moved</reason>"
                + "</destroy></query></iq>");
        assertThat(k.reply("d").attr("type")).isEqualTo("result");
        XmlElement gone = next(bob, e -> k.presenceFrom("bob").test(e) && "unavailable".equals(e.attr("type")));
        XmlElement destroy = gone.element("x", Namespaces.MUC_USER).element("destroy", Namespaces.MUC_USER);
        assertThat(destroy.attr("jid")).isEqualTo("new@conference.localhost");
        assertThat(destroy.elementText("reason", Namespaces.MUC_USER)).isEqualTo("moved");
        assertThat(bob.expectMessageClass(MucExtension.OutOfRoom.class).room()).isEqualTo(k.room);
        assertThat(k.entity.getState().exists()).isFalse();
    }
}
