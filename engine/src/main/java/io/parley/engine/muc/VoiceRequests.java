package io.parley.engine.muc;

import akka.persistence.typed.javadsl.Effect;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xep.dataforms.DataForm;
import io.parley.protocol.xep.dataforms.FormField;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.List;

/** Voice requests (sections 7.13 and 8.6): a visitor in a moderated room asks, every moderator gets the approval form, an approval makes the visitor a participant. */
final class VoiceRequests {

    private VoiceRequests() {
    }

    /**
     * Section 7.13 and 8.6: a visitor in a moderated room asks for voice; every moderator gets the
     * approval form, and one who submits it with {@code muc#request_allow} true makes the visitor a
     * participant. Requests count against the visitor's message rate.
     */
    static Effect<RoomEntity.Event, RoomState> voiceRequest(Room r, RoomState s, RoomEntity.Inbound in, Occupants.Occupant sender, DataForm form) {
        if (sender == null) {
            r.error(in, StanzaErrorCondition.NOT_ACCEPTABLE, "only occupants ask for voice");
            return r.effect().none();
        }
        if (form.field("muc#request_allow") != null) {
            if (sender.role != Role.MODERATOR) {
                r.error(in, StanzaErrorCondition.FORBIDDEN, "only moderators approve voice requests");
                return r.effect().none();
            }
            String allow = form.value("muc#request_allow");
            Occupants.Occupant target = form.value("muc#roomnick") == null ? null : r.occupants.byNick(form.value("muc#roomnick"));
            if (!("true".equals(allow) || "1".equals(allow)) || target == null || target.role != Role.VISITOR) {
                return r.effect().none();
            }
            return r.effect().persist(r.logged(sender.bare, "role", target.nick, "participant (voice request)"))
                    .thenRun(st -> Affiliations.applyRole(r, st, target, Role.PARTICIPANT, sender, null));
        }
        if (sender.role != Role.VISITOR || !s.config().moderated()) {
            r.error(in, StanzaErrorCondition.NOT_ALLOWED, "only visitors of a moderated room ask for voice");
            return r.effect().none();
        }
        if (!r.takeToken(sender)) {
            r.error(in, StanzaErrorCondition.RESOURCE_CONSTRAINT, "too many requests");
            return r.effect().none();
        }
        Jid requester = Jid.ofOrNull(in.stanza().attr("from"));
        DataForm approval = new DataForm(DataForm.Type.FORM, "Voice request",
                List.of("To approve this request for voice, select the \"Grant voice to this person?\" checkbox and submit."),
                List.of(FormField.hidden("FORM_TYPE", Namespaces.MUC_REQUEST),
                        new FormField("muc#role", FormField.Type.LIST_SINGLE, "Requested role", null, false, List.of("participant"),
                                List.of()),
                        new FormField("muc#jid", FormField.Type.JID_SINGLE, "User ID", null, false,
                                List.of(requester == null ? sender.bare.toString() : requester.toString()), List.of()),
                        new FormField("muc#roomnick", FormField.Type.TEXT_SINGLE, "Room Nickname", null, false, List.of(sender.nick),
                                List.of()),
                        new FormField("muc#request_allow", FormField.Type.BOOLEAN, "Grant voice to this person?", null, false,
                                List.of("false"), List.of())),
                List.of(), List.of());
        XmlElement message = XmlElement.builder("message", Namespaces.CLIENT).attr("from", r.room.toString())
                .attr("id", "voice-" + Long.toHexString(System.nanoTime())).child(approval.toElement()).build();
        for (Occupants.Occupant o : r.occupants.all()) {
            if (o.role == Role.MODERATOR) {
                r.deliver(message, o);
            }
        }
        return r.effect().none();
    }
}
