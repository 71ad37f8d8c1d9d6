package io.parley.protocol.stanza;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.protocol.jid.Jid;
import io.parley.protocol.jid.JidFormatException;
import io.parley.protocol.stream.StreamError;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlReader;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class StanzaTest {

    @Test
    void messageView() {
        Message m = (Message) Stanza.of(XmlReader.parse(
                "<message xmlns='jabber:client' from='juliet@example.com/balcony' to='romeo@example.net' type='chat' id='m1'>"
                        + "<body>Wherefore?</body><body xml:lang='de'>Warum?</body><thread>t1</thread></message>"));
        assertThat(m.type()).isEqualTo(Message.Type.CHAT);
        assertThat(m.from()).isEqualTo(Jid.of("juliet@example.com/balcony"));
        assertThat(m.to()).isEqualTo(Jid.of("romeo@example.net"));
        assertThat(m.id()).isEqualTo("m1");
        assertThat(m.body()).isEqualTo("Wherefore?");
        assertThat(m.body("de")).isEqualTo("Warum?");
        assertThat(m.thread()).isEqualTo("t1");
        assertThat(Message.Type.fromValue(null)).isEqualTo(Message.Type.NORMAL);
        assertThat(Message.Type.fromValue("bogus")).isEqualTo(Message.Type.NORMAL);
    }

    @Test
    void presenceView() {
        Presence p = Presence.builder().show(Presence.Show.DND).status("busy").priority(-5).build();
        assertThat(p.type()).isEqualTo(Presence.Type.AVAILABLE);
        assertThat(p.show()).isEqualTo(Presence.Show.DND);
        assertThat(p.status()).isEqualTo("busy");
        assertThat(p.priority()).isEqualTo(-5);
        assertThat(Presence.of(XmlReader.parse("<presence xmlns='jabber:client'><priority>300</priority></presence>"))
                .priority()).isZero();
        assertThat(Presence.of(XmlReader.parse("<presence xmlns='jabber:client' type='probe'/>")).type())
                .isEqualTo(Presence.Type.PROBE);
        assertThat(Presence.Type.fromValue("bogus")).isNull();
        assertThatThrownBy(() -> Presence.builder().priority(128)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Presence.Type.SUBSCRIBE.isSubscription()).isTrue();
        assertThat(Presence.Type.PROBE.isSubscription()).isFalse();
    }

    @Test
    void iqRulesOfRfc6120() {
        Iq get = Iq.of(XmlReader.parse("<iq xmlns='jabber:client' type='get' id='1'><query xmlns='jabber:iq:roster'/></iq>"));
        assertThat(get.isWellFormed()).isTrue();
        assertThat(get.isRequest()).isTrue();
        assertThat(get.payload().namespace()).isEqualTo(Namespaces.ROSTER);
        assertThat(Iq.of(XmlReader.parse("<iq xmlns='jabber:client' type='get' id='1'/>")).isWellFormed()).isFalse();
        assertThat(Iq.of(XmlReader.parse("<iq xmlns='jabber:client' type='get'><a xmlns='x'/></iq>")).isWellFormed()).isFalse();
        assertThat(Iq.of(XmlReader.parse("<iq xmlns='jabber:client' type='set' id='1'><a xmlns='x'/><b xmlns='x'/></iq>"))
                .isWellFormed()).isFalse();
        assertThat(Iq.of(XmlReader.parse("<iq xmlns='jabber:client' type='bogus' id='1'/>")).isWellFormed()).isFalse();
        assertThat(Iq.of(XmlReader.parse("<iq xmlns='jabber:client' type='result' id='1'/>")).isWellFormed()).isTrue();
    }

    @Test
    void resultReplySwapsAddresses() {
        Iq get = Iq.builder(Iq.Type.GET).from(Jid.of("a@example.com/r")).to(Jid.of("example.com")).id("v1")
                .child(XmlElement.of("query", "jabber:iq:version")).build();
        XmlElement result = get.resultReply(XmlElement.builder("query", "jabber:iq:version").textElement("name", "jabber:iq:version", "Parley").build());
        assertThat(result.attr("type")).isEqualTo("result");
        assertThat(result.attr("from")).isEqualTo("example.com");
        assertThat(result.attr("to")).isEqualTo("a@example.com/r");
        assertThat(result.attr("id")).isEqualTo("v1");
    }

    @Test
    void errorReplyFollowsRfc6120() {
        Iq set = Iq.builder(Iq.Type.SET).from(Jid.of("a@example.com/r")).to(Jid.of("b@example.com")).id("x1")
                .child(XmlElement.of("query", "urn:unknown")).build();
        XmlElement reply = set.errorReply(StanzaError.of(StanzaErrorCondition.SERVICE_UNAVAILABLE, "nobody home"));
        assertThat(XmlWriterString(reply)).isEqualTo("<iq xmlns='jabber:client' from='b@example.com' to='a@example.com/r'"
                + " type='error' id='x1'><query xmlns='urn:unknown'/><error type='cancel'>"
                + "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>nobody home</text></error></iq>");
        StanzaError parsed = Stanza.of(reply).error();
        assertThat(parsed.condition()).isEqualTo(StanzaErrorCondition.SERVICE_UNAVAILABLE);
        assertThat(parsed.type()).isEqualTo(StanzaErrorType.CANCEL);
        assertThat(parsed.text()).isEqualTo("nobody home");
        // messages do not echo their payload
        Message m = Message.builder().type(Message.Type.CHAT).to(Jid.of("x@example.com")).from(Jid.of("y@example.com/z"))
                .body("secret").build();
        XmlElement mr = m.errorReply(StanzaErrorCondition.RECIPIENT_UNAVAILABLE);
        assertThat(mr.element("body", Namespaces.CLIENT)).isNull();
        assertThat(Stanza.of(mr).error().type()).isEqualTo(StanzaErrorType.WAIT);
    }

    @Test
    void errorsAreNeverAnsweredWithErrors() {
        Stanza error = Stanza.of(XmlReader.parse("<message xmlns='jabber:client' type='error'/>"));
        assertThatThrownBy(() -> error.errorReply(StanzaErrorCondition.BAD_REQUEST)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void everyConditionRoundTrips() {
        for (StanzaErrorCondition c : StanzaErrorCondition.values()) {
            StanzaError e = StanzaError.of(c).withBy("example.com");
            XmlElement stanza = XmlElement.builder("message", Namespaces.CLIENT).attr("type", "error")
                    .child(e.toElement(Namespaces.CLIENT)).build();
            assertThat(StanzaError.fromStanza(stanza)).isEqualTo(e);
            assertThat(StanzaErrorCondition.fromElementName(c.elementName())).isEqualTo(c);
        }
        assertThat(EnumSet.allOf(StanzaErrorCondition.class)).hasSize(22);
        StanzaError gone = StanzaError.of(StanzaErrorCondition.GONE).withConditionText("xmpp:romeo@afterlife.example.net")
                .withApplicationCondition(XmlElement.of("too-many", "urn:app"));
        XmlElement stanza = XmlElement.builder("presence", Namespaces.CLIENT).child(gone.toElement(Namespaces.CLIENT)).build();
        assertThat(StanzaError.fromStanza(stanza)).isEqualTo(gone);
    }

    @Test
    void everyStreamErrorRoundTrips() {
        for (StreamErrorCondition c : StreamErrorCondition.values()) {
            StreamError e = c == StreamErrorCondition.SEE_OTHER_HOST ? StreamError.seeOtherHost("other.example.com")
                    : StreamError.of(c, "why");
            assertThat(StreamError.fromElement(e.toElement())).isEqualTo(e);
            assertThat(StreamError.isStreamError(e.toElement())).isTrue();
        }
        assertThat(EnumSet.allOf(StreamErrorCondition.class)).hasSize(25);
    }

    @Test
    void invalidAddressesSurfaceAsTypedErrors() {
        Stanza s = Stanza.of(XmlReader.parse("<message xmlns='jabber:client' to='a@b@c'/>"));
        assertThatThrownBy(s::to).isInstanceOf(JidFormatException.class);
        assertThat(Stanza.of(XmlReader.parse("<foo xmlns='jabber:client'/>"))).isNull();
        assertThat(Stanza.of(XmlReader.parse("<message xmlns='urn:other'/>"))).isNull();
        assertThat(Stanza.isStanza(XmlReader.parse("<iq xmlns='jabber:server'/>"))).isTrue();
    }

    private static String XmlWriterString(XmlElement e) {
        return e.toString();
    }
}
