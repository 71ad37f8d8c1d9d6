package io.parley.engine.muc;

import static io.parley.engine.muc.RoomKit.errorCondition;
import static io.parley.engine.muc.RoomKit.field;
import static io.parley.engine.muc.RoomKit.item;
import static io.parley.engine.muc.RoomKit.next;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.TestProbe;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import org.junit.jupiter.api.Test;

/** {@link VoiceRequests}: a visitor asks, the moderators get the form, an approval gives voice. */
class VoiceRequestsTest extends RoomTests {

    @Test
    void aVisitorsRequestReachesTheModeratorAndItsApprovalMakesAParticipant() {
        RoomKit k = room();
        TestProbe<ConnectionMessage> owner = k.instant("alice@localhost/r", "alice");
        k.configure("alice@localhost/r", field("muc#roomconfig_moderatedroom", "1"));
        TestProbe<ConnectionMessage> bob = k.join("bob@localhost/r", "bob", "");
        assertThat(item(next(bob, k.presenceFrom("bob"))).attr("role")).isEqualTo("visitor");

        k.send(null, "<message xmlns='jabber:client' from='bob@localhost/r' to='" + k.room + "'><x xmlns='jabber:x:data' type='submit'>"
                + field("FORM_TYPE", "http://jabber.org/protocol/muc#request") + field("muc#role", "participant") + "</x></message>");
        XmlElement request = next(owner, e -> e.name().equals("message") && e.element("x", Namespaces.DATA_FORMS) != null);
        assertThat(request.element("x", Namespaces.DATA_FORMS).attr("type")).isEqualTo("form");

        k.send(null, "<message xmlns='jabber:client' id='no' from='bob@localhost/r' to='" + k.room + "'><x xmlns='jabber:x:data' type='submit'>"
                + field("FORM_TYPE", "http://jabber.org/protocol/muc#request") + field("muc#roomnick", "bob")
                + field("muc#request_allow", "true") + "</x></message>");
        assertThat(errorCondition(k.reply("no"))).as("only moderators approve").isEqualTo("forbidden");

        k.send(null, "<message xmlns='jabber:client' from='alice@localhost/r' to='" + k.room + "'><x xmlns='jabber:x:data' type='submit'>"
                + field("FORM_TYPE", "http://jabber.org/protocol/muc#request") + field("muc#roomnick", "bob")
                + field("muc#request_allow", "true") + "</x></message>");
        assertThat(item(next(bob, k.presenceFrom("bob"))).attr("role")).isEqualTo("participant");
    }
}
