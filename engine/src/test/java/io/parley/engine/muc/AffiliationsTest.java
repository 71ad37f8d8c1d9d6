package io.parley.engine.muc;

import static io.parley.engine.muc.RoomKit.codes;
import static io.parley.engine.muc.RoomKit.errorCondition;
import static io.parley.engine.muc.RoomKit.events;
import static io.parley.engine.muc.RoomKit.item;
import static io.parley.engine.muc.RoomKit.next;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.TestProbe;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import org.junit.jupiter.api.Test;

/** {@link Affiliations}: who may change roles and affiliations, and what occupants see of it. */
class AffiliationsTest extends RoomTests {

    private static String admin(RoomKit k, String from, String id, String items) {
        k.send(null, "<iq xmlns='jabber:client' type='set' id='" + id + "' from='" + from + "' to='" + k.room + "'>"
                + "<query xmlns='http://jabber.org/protocol/muc#admin'>" + items + "</query></iq>");
        XmlElement reply = k.reply(id);
        return "result".equals(reply.attr("type")) ? "result" : errorCondition(reply);
    }

    @Test
    void theOwnerGrantsMembershipAndTheMemberSeesItsNewAffiliation() {
        RoomKit k = room();
        TestProbe<ConnectionMessage> owner = k.instant("alice@localhost/r", "alice");
        TestProbe<ConnectionMessage> bob = k.join("bob@localhost/r", "bob", "");
        next(bob, k.presenceFrom("bob"));
        k.send(null, "<iq xmlns='jabber:client' type='set' id='m' from='alice@localhost/r' to='" + k.room + "'>"
                + "<query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='member' jid='bob@localhost'/></query></iq>");
        assertThat(k.reply("m").attr("type")).isEqualTo("result");
        assertThat(k.entity.getState().affiliation(Jid.of("bob@localhost"))).isEqualTo(Affiliation.MEMBER);
        assertThat(item(next(bob, k.presenceFrom("bob"))).attr("affiliation")).isEqualTo("member");
        assertThat(item(next(owner, k.presenceFrom("bob"))).attr("affiliation")).as("as bob joined").isEqualTo("none");
        assertThat(item(next(owner, k.presenceFrom("bob"))).attr("affiliation")).isEqualTo("member");
    }

    @Test
    void aParticipantMayNotKickAModeratorKicksWith307AndTheRoomKeepsAnOwner() {
        RoomKit k = room();
        k.instant("alice@localhost/r", "alice");
        TestProbe<ConnectionMessage> bob = k.join("bob@localhost/r", "bob", "");
        TestProbe<ConnectionMessage> carol = k.join("carol@localhost/r", "carol", "");
        next(carol, k.presenceFrom("carol"));
        assertThat(admin(k, "bob@localhost/r", "k1", "<item nick='carol' role='none'/>")).isEqualTo("forbidden");
        assertThat(admin(k, "alice@localhost/r", "k2", "<item nick='carol' role='none'><reason>off</reason></item>")).isEqualTo("result");
        XmlElement kicked = next(carol, k.presenceFrom("carol"));
        assertThat(kicked.attr("type")).isEqualTo("unavailable");
        assertThat(codes(kicked)).contains("307", "110");
        assertThat(codes(next(bob, e -> k.presenceFrom("carol").test(e) && "unavailable".equals(e.attr("type"))))).contains("307");
        assertThat(k.entity.getState().log()).extracting(RoomState.Operation::action).contains("kick");

        var result = k.send(null, "<iq xmlns='jabber:client' type='set' id='o' from='alice@localhost/r' to='" + k.room + "'>"
                + "<query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='none' jid='alice@localhost'/></query></iq>");
        assertThat(errorCondition(k.reply("o"))).as("the last owner stays").isEqualTo("conflict");
        assertThat(events(result, RoomEntity.AffiliationChanged.class)).isEmpty();
    }

    @Test
    void anAdminHandlesMembersButNotOwnersAndABanRemovesTheOccupant() {
        RoomKit k = room();
        k.instant("alice@localhost/r", "alice");
        assertThat(admin(k, "alice@localhost/r", "a", "<item affiliation='admin' jid='bob@localhost'/>")).isEqualTo("result");
        assertThat(admin(k, "bob@localhost/r", "b", "<item affiliation='owner' jid='bob@localhost'/>")).isEqualTo("not-allowed");
        TestProbe<ConnectionMessage> carol = k.join("carol@localhost/r", "carol", "");
        next(carol, k.presenceFrom("carol"));
        assertThat(admin(k, "bob@localhost/r", "c", "<item affiliation='outcast' jid='carol@localhost'/>")).isEqualTo("result");
        XmlElement banned = next(carol, k.presenceFrom("carol"));
        assertThat(codes(banned)).contains("301");
        assertThat(k.entity.getState().affiliation(Jid.of("carol@localhost"))).isEqualTo(Affiliation.OUTCAST);
    }
}
