package io.parley.engine.muc;

import static io.parley.engine.muc.RoomKit.errorCondition;
import static io.parley.engine.muc.RoomKit.events;
import static io.parley.engine.muc.RoomKit.field;
import static io.parley.engine.muc.RoomKit.next;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.TestProbe;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.protocol.jid.Jid;
import org.junit.jupiter.api.Test;

/** {@link Registration}: a registered nick makes a member and is reserved for it, until released. */
class RegistrationTest extends RoomTests {

    private static String register(RoomKit k, String from, String id, String body) {
        var r = k.send(null, "<iq xmlns='jabber:client' type='set' id='" + id + "' from='" + from + "' to='" + k.room + "'>"
                + "<query xmlns='jabber:iq:register'>" + body + "</query></iq>");
        var reply = k.reply(id);
        return "result".equals(reply.attr("type")) ? "result" : errorCondition(reply);
    }

    private static String form(String nick) {
        return "<x xmlns='jabber:x:data' type='submit'>" + field("FORM_TYPE", "http://jabber.org/protocol/muc#register")
                + field("muc#register_roomnick", nick) + "</x>";
    }

    @Test
    void aRegisteredNickIsReservedForItsMemberInAnyCaseUntilReleased() {
        RoomKit k = room();
        k.instant("alice@localhost/r", "alice");
        assertThat(register(k, "bob@localhost/r", "r1", form("Bobby"))).isEqualTo("result");
        assertThat(k.entity.getState().affiliation(Jid.of("bob@localhost"))).isEqualTo(Affiliation.MEMBER);
        assertThat(k.entity.getState().registeredNick(Jid.of("bob@localhost"))).isEqualTo("Bobby");
        assertThat(register(k, "carol@localhost/r", "r2", form("bobby"))).as("taken, whatever the case").isEqualTo("conflict");

        TestProbe<ConnectionMessage> carol = k.join("carol@localhost/r", "BOBBY", "");
        assertThat(errorCondition(next(carol, e -> "error".equals(e.attr("type"))))).isEqualTo("conflict");

        var released = k.send(null, "<iq xmlns='jabber:client' type='set' id='r3' from='bob@localhost/r' to='" + k.room + "'>"
                + "<query xmlns='jabber:iq:register'><remove/></query></iq>");
        assertThat(k.reply("r3").attr("type")).isEqualTo("result");
        assertThat(events(released, RoomEntity.NickRegistered.class)).extracting(RoomEntity.NickRegistered::nick).containsOnlyNulls();
        assertThat(k.entity.getState().affiliation(Jid.of("bob@localhost"))).isEqualTo(Affiliation.NONE);
        k.join(carol, "carol@localhost/r", "Bobby", "");
        assertThat(next(carol, k.presenceFrom("Bobby")).attr("type")).isNull();
    }
}
