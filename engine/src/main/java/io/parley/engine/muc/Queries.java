package io.parley.engine.muc;

import akka.persistence.typed.javadsl.Effect;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xep.dataforms.DataForm;
import io.parley.protocol.xep.dataforms.FormField;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;

/** IQs to the room and to occupants: dispatch by namespace to the parts that answer them, the room's service discovery (section 6.4, and 7.12's x-roomuser-item), XEP-0410 self-ping, and IQs passed between occupants (section 7.7). */
final class Queries {

    private Queries() {
    }

    static Effect<RoomEntity.Event, RoomState> onIq(Room r, RoomState s, RoomEntity.Inbound in, Jid from) {
        Iq iq = Iq.of(in.stanza());
        Jid to = Jid.ofOrNull(in.stanza().attr("to"));
        if (!iq.isWellFormed()) {
            return r.effect().none();
        }
        if (to != null && to.hasResource()) {
            return iqToOccupant(r, s, in, iq, from, to.resource());
        }
        if (!iq.isRequest()) {
            return r.effect().none();
        }
        XmlElement q = iq.payload();
        boolean get = iq.type() == Iq.Type.GET;
        if (get && q.is("query", Namespaces.DISCO_INFO) && "x-roomuser-item".equals(q.attr("node")) && s.exists()) {
            // section 7.12: the nick the asker registered here, if any
            XmlElement.Builder result = XmlElement.builder("query", Namespaces.DISCO_INFO).attr("node", "x-roomuser-item");
            String nick = s.registeredNick(from);
            if (nick != null) {
                result.child(XmlElement.builder("identity", Namespaces.DISCO_INFO).attr("category", "conference").attr("type", "text")
                        .attr("name", nick).build());
            }
            r.reply(Iq.of(in.stanza()).resultReply(result.build()));
            return r.effect().none();
        }
        if (get && q.is("query", Namespaces.DISCO_INFO)) {
            if (!s.exists() || q.attr("node") != null) {
                r.error(in, StanzaErrorCondition.ITEM_NOT_FOUND, null);
            } else {
                r.reply(Iq.of(in.stanza()).resultReply(discoInfo(r, s)));
            }
            return r.effect().none();
        }
        if (get && q.is("query", Namespaces.DISCO_ITEMS)) {
            if (!s.exists()) {
                r.error(in, StanzaErrorCondition.ITEM_NOT_FOUND, null);
            } else {
                r.reply(Iq.of(in.stanza()).resultReply(XmlElement.of("query", Namespaces.DISCO_ITEMS)));
            }
            return r.effect().none();
        }
        if (get && q.is("ping", Namespaces.PING)) {
            r.reply(Iq.of(in.stanza()).resultReply(null));
            return r.effect().none();
        }
        if (!s.exists()) {
            r.error(in, StanzaErrorCondition.ITEM_NOT_FOUND, null);
            return r.effect().none();
        }
        if (q.is("query", Namespaces.MUC_OWNER)) {
            return get ? Configuration.ownerGet(r, s, in, from) : Configuration.ownerSet(r, s, in, from, q);
        }
        if (get && q.is("query", Namespaces.PARLEY_MUC_LOG)) {
            return OperationLog.readLog(r, s, in, from, q);
        }
        if (q.is("query", Namespaces.IQ_REGISTER)) {
            return get ? Registration.registrationForm(r, s, in, from) : Registration.register(r, s, in, from, q);
        }
        if (q.is("query", Namespaces.MUC_ADMIN)) {
            return get ? Affiliations.adminGet(r, s, in, from, q) : Affiliations.adminSet(r, s, in, from, q);
        }
        r.error(in, StanzaErrorCondition.SERVICE_UNAVAILABLE, null);
        return r.effect().none();
    }

    /** XEP-0410 self-ping answered here; other IQs go to the occupant's most recent session (section 7.7). */
    private static Effect<RoomEntity.Event, RoomState> iqToOccupant(Room r, RoomState s, RoomEntity.Inbound in, Iq iq, Jid from, String nick) {
        Occupants.Occupant sender = r.occupants.byJid(from);
        Occupants.Occupant target = r.occupants.byNick(nick);
        if (!iq.isRequest()) {
            if (sender != null && target != null) {
                Occupants.Session last = lastSession(target);
                r.deliver(in.stanza().withAttr("from", r.occupantJid(sender.nick).toString()), List.of(last));
            }
            return r.effect().none();
        }
        if (sender == null) {
            r.error(in, StanzaErrorCondition.NOT_ACCEPTABLE, "not an occupant of this room");
            return r.effect().none();
        }
        if (target == null) {
            r.error(in, StanzaErrorCondition.ITEM_NOT_FOUND, null);
            return r.effect().none();
        }
        if (target == sender && iq.payload().is("ping", Namespaces.PING)) {
            r.reply(iq.resultReply(null));
            return r.effect().none();
        }
        r.deliver(in.stanza().withAttr("from", r.occupantJid(sender.nick).toString()), List.of(lastSession(target)));
        return r.effect().none();
    }

    private static Occupants.Session lastSession(Occupants.Occupant o) {
        Occupants.Session last = null;
        for (Occupants.Session s : o.sessions.values()) {
            last = s;
        }
        return last;
    }

    private static XmlElement discoInfo(Room r, RoomState s) {
        RoomConfig c = s.config();
        XmlElement.Builder q = XmlElement.builder("query", Namespaces.DISCO_INFO)
                .child(XmlElement.builder("identity", Namespaces.DISCO_INFO).attr("category", "conference").attr("type", "text")
                        .attr("name", c.name().isEmpty() ? r.room.local() : c.name()).build());
        List<String> features = new ArrayList<>(List.of(Namespaces.MUC, Namespaces.OCCUPANT_ID, "urn:xmpp:ping",
                Namespaces.PARLEY_MUC_LOG, Namespaces.MUC_REQUEST, Namespaces.IQ_REGISTER,
                c.persistent() ? "muc_persistent" : "muc_temporary",
                c.membersOnly() ? "muc_membersonly" : "muc_open",
                c.moderated() ? "muc_moderated" : "muc_unmoderated",
                c.passwordProtected() ? "muc_passwordprotected" : "muc_unsecured",
                c.publicRoom() ? "muc_public" : "muc_hidden",
                c.whoisAnyone() ? "muc_nonanonymous" : "muc_semianonymous"));
        features.forEach(f -> q.child(XmlElement.builder("feature", Namespaces.DISCO_INFO).attr("var", f).build()));
        List<FormField> info = new ArrayList<>();
        info.add(FormField.hidden("FORM_TYPE", Namespaces.MUC_ROOMINFO));
        info.add(new FormField("muc#roominfo_description", null, "Description", null, false, List.of(c.description()), List.of()));
        info.add(new FormField("muc#roominfo_occupants", null, "Number of occupants", null, false,
                List.of(Integer.toString(r.occupants.size())), List.of()));
        info.add(new FormField("muc#roomconfig_changesubject", FormField.Type.BOOLEAN, "Occupants may change the subject", null,
                false, List.of(c.changeSubject() ? "1" : "0"), List.of()));
        String subject = s.subject() == null ? "" : s.subject().elementText("subject", Namespaces.CLIENT);
        info.add(new FormField("muc#roominfo_subject", null, "Subject", null, false, List.of(subject == null ? "" : subject), List.of()));
        q.child(new DataForm(DataForm.Type.RESULT, null, List.of(), info, List.of(), List.of()).toElement());
        return q.build();
    }
}
