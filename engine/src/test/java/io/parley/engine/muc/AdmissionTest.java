package io.parley.engine.muc;

import static io.parley.engine.muc.RoomKit.codes;
import static io.parley.engine.muc.RoomKit.errorCondition;
import static io.parley.engine.muc.RoomKit.field;
import static io.parley.engine.muc.RoomKit.item;
import static io.parley.engine.muc.RoomKit.next;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.TestProbe;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.protocol.xml.XmlElement;
import org.junit.jupiter.api.Test;

/** {@link Admission}: creating a room by joining it, and who may enter under which nick. */
class AdmissionTest extends RoomTests {

    @Test
    void theFirstMucClientCreatesALockedRoomThatOthersCannotEnterUntilItIsConfigured() {
        RoomKit k = room();
        TestProbe<ConnectionMessage> owner = k.join("alice@localhost/r", "alice", "");
        assertThat(owner.expectMessageClass(MucExtension.InRoom.class).nick()).as("the session is told its seat").isEqualTo("alice");
        XmlElement own = next(owner, k.presenceFrom("alice"));
        assertThat(codes(own)).contains("110", "201");
        assertThat(item(own).attr("affiliation")).isEqualTo("owner");
        assertThat(k.entity.getState().locked()).isTrue();
        assertThat(k.entity.getState().log()).extracting(RoomState.Operation::action).containsExactly("create");

        TestProbe<ConnectionMessage> bob = k.join("bob@localhost/r", "bob", "");
        assertThat(errorCondition(next(bob, e -> "error".equals(e.attr("type"))))).isEqualTo("item-not-found");
        k.configure("alice@localhost/r", "");
        k.join(bob, "bob@localhost/r", "bob", "");
        assertThat(item(next(owner, k.presenceFrom("bob"))).attr("role")).isEqualTo("participant");
    }

    @Test
    void aNickInUseAPasswordAndMembersOnlyKeepOthersOut() {
        RoomKit k = room();
        k.instant("alice@localhost/r", "alice");
        TestProbe<ConnectionMessage> bob = k.join("bob@localhost/r", "alice", "");
        assertThat(errorCondition(next(bob, e -> "error".equals(e.attr("type"))))).isEqualTo("conflict");

        k.configure("alice@localhost/r", field("muc#roomconfig_passwordprotectedroom", "1") + field("muc#roomconfig_roomsecret", "tea"));
        k.join(bob, "bob@localhost/r", "bob", "");
        assertThat(errorCondition(next(bob, e -> "error".equals(e.attr("type"))))).isEqualTo("not-authorized");
        k.join(bob, "bob@localhost/r", "bob", "<password>tea</password>");
        assertThat(codes(next(bob, k.presenceFrom("bob")))).contains("110");

        k.configure("alice@localhost/r", field("muc#roomconfig_membersonly", "1"));
        TestProbe<ConnectionMessage> carol = k.join("carol@localhost/r", "carol", "<password>tea</password>");
        assertThat(errorCondition(next(carol, e -> "error".equals(e.attr("type"))))).isEqualTo("registration-required");
    }

    @Test
    void aBannedUserIsRefusedAndARoomIsNotCreatedFromAnotherServer() {
        RoomKit k = room();
        k.instant("alice@localhost/r", "alice");
        k.send(null, "<iq xmlns='jabber:client' type='set' id='ban' from='alice@localhost/r' to='" + k.room + "'>"
                + "<query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='outcast' jid='mallory@localhost'/></query></iq>");
        assertThat(k.reply("ban").attr("type")).isEqualTo("result");
        TestProbe<ConnectionMessage> mallory = k.join("mallory@localhost/r", "m", "");
        assertThat(errorCondition(next(mallory, e -> "error".equals(e.attr("type"))))).isEqualTo("forbidden");

        RoomKit other = room();
        TestProbe<ConnectionMessage> remote = other.join("eve@elsewhere.example/r", "eve", "");
        assertThat(errorCondition(next(remote, e -> "error".equals(e.attr("type"))))).isEqualTo("not-allowed");
        assertThat(other.entity.getState().exists()).isFalse();
    }
}
