package io.parley.engine.muc;

import akka.persistence.typed.javadsl.Effect;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xep.dataforms.DataForm;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlNode;
import java.util.List;

/** Messages to the room and between occupants (sections 7.4, 7.5, 8.1): groupchat with XEP-0421 occupant ids, subject changes, private messages, each occupant held to its message rate; invitations and voice requests have parts of their own. */
final class Messages {

    private Messages() {
    }

    static Effect<RoomEntity.Event, RoomState> onMessage(Room r, RoomState s, RoomEntity.Inbound in, Jid from) {
        XmlElement m = in.stanza();
        Jid to = Jid.ofOrNull(m.attr("to"));
        String type = m.attr("type");
        if (!s.exists()) {
            r.error(in, StanzaErrorCondition.ITEM_NOT_FOUND, null);
            return r.effect().none();
        }
        Occupants.Occupant sender = r.occupants.byJid(from);
        if (to != null && to.hasResource()) {
            return privateMessage(r, s, in, sender, to.resource());
        }
        if ("groupchat".equals(type)) {
            return groupchat(r, s, in, sender);
        }
        XmlElement x = m.element("x", Namespaces.MUC_USER);
        if (x != null && (x.element("invite", Namespaces.MUC_USER) != null || x.element("decline", Namespaces.MUC_USER) != null)) {
            return Invitations.invitations(r, s, in, from, sender, x);
        }
        XmlElement formElement = m.element("x", Namespaces.DATA_FORMS);
        DataForm form = formElement == null ? null : DataForm.fromElement(formElement);
        if (form != null && Namespaces.MUC_REQUEST.equals(form.formType())) {
            return VoiceRequests.voiceRequest(r, s, in, sender, form);
        }
        r.error(in, StanzaErrorCondition.BAD_REQUEST, "messages to the room are groupchat, invitations, declines or voice requests");
        return r.effect().none();
    }

    private static Effect<RoomEntity.Event, RoomState> groupchat(Room r, RoomState s, RoomEntity.Inbound in, Occupants.Occupant sender) {
        XmlElement m = in.stanza();
        if (sender == null) {
            r.error(in, StanzaErrorCondition.NOT_ACCEPTABLE, "only occupants may send messages to the room");
            return r.effect().none();
        }
        if (!r.takeToken(sender)) {
            r.error(in, StanzaErrorCondition.RESOURCE_CONSTRAINT, "too many messages; slow down");
            return r.effect().none();
        }
        XmlElement subject = m.element("subject", Namespaces.CLIENT);
        XmlElement body = m.element("body", Namespaces.CLIENT);
        if (subject != null && body == null) {
            boolean may = sender.role == Role.MODERATOR || s.config().changeSubject() && sender.role.hasVoice();
            if (!may) {
                r.error(in, StanzaErrorCondition.FORBIDDEN, "you may not change the subject");
                return r.effect().none();
            }
            if (subject.text().length() > r.deps.settings().maxSubjectChars()) {
                r.error(in, StanzaErrorCondition.NOT_ACCEPTABLE, "a subject has at most " + r.deps.settings().maxSubjectChars() + " characters");
                return r.effect().none();
            }
        } else if (!sender.role.hasVoice()) {
            r.error(in, StanzaErrorCondition.FORBIDDEN, "visitors have no voice in this moderated room");
            return r.effect().none();
        }
        XmlElement out = reflected(r, s, m, sender);
        r.toAll(out);
        if (subject != null && body == null) {
            return r.effect().persist(List.of(new RoomEntity.SubjectChanged(out), r.logged(sender.bare, "subject", null, subject.text())));
        }
        if (body != null) {
            History.add(r, s, out, body.text().length());
        }
        return r.effect().none();
    }

    /** The message as occupants get it: from the sender's occupant JID, its occupant id stamped (none forged). */
    private static XmlElement reflected(Room r, RoomState s, XmlElement m, Occupants.Occupant sender) {
        XmlElement.Builder b = XmlElement.builder("message", Namespaces.CLIENT)
                .attr("from", r.occupantJid(sender.nick).toString()).attr("type", m.attr("type")).attr("id", m.attr("id"))
                .attr(Namespaces.XML, "lang", m.lang());
        for (XmlNode c : m.children()) {
            if (!(c instanceof XmlElement e) || !e.namespace().equals(Namespaces.OCCUPANT_ID)) {
                b.child(c);
            }
        }
        b.child(sender.occupantId);
        return b.build();
    }

    /** Section 7.5: between occupants, from the sender's occupant JID. */
    private static Effect<RoomEntity.Event, RoomState> privateMessage(Room r, RoomState s, RoomEntity.Inbound in, Occupants.Occupant sender, String nick) {
        XmlElement m = in.stanza();
        if (sender == null) {
            r.error(in, StanzaErrorCondition.NOT_ACCEPTABLE, "only occupants may send private messages");
            return r.effect().none();
        }
        if ("groupchat".equals(m.attr("type"))) {
            r.error(in, StanzaErrorCondition.BAD_REQUEST, "a private message is not of type groupchat");
            return r.effect().none();
        }
        boolean allowed = switch (s.config().allowPrivateMessages()) {
            case "anyone" -> true;
            case "participants" -> sender.role.hasVoice();
            case "moderators" -> sender.role == Role.MODERATOR;
            default -> false;
        };
        if (!allowed) {
            r.error(in, StanzaErrorCondition.FORBIDDEN, "private messages are not allowed here");
            return r.effect().none();
        }
        Occupants.Occupant target = r.occupants.byNick(nick);
        if (target == null) {
            r.error(in, StanzaErrorCondition.ITEM_NOT_FOUND, "no such occupant");
            return r.effect().none();
        }
        XmlElement out = m.withAttr("from", r.occupantJid(sender.nick).toString()).withAttr("to", null);
        if (out.element("x", Namespaces.MUC_USER) == null) {
            out = out.withChild(XmlElement.of("x", Namespaces.MUC_USER));
        }
        r.deliver(out, target);
        return r.effect().none();
    }
}
