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

/** Nick registration (sections 7.10 and 7.12): jabber:iq:register on the room; a registered nick is reserved for its member. */
final class Registration {

    private Registration() {
    }

    static Effect<RoomEntity.Event, RoomState> registrationForm(Room r, RoomState s, RoomEntity.Inbound in, Jid from) {
        Affiliation aff = s.affiliation(from);
        if (aff == Affiliation.OUTCAST) {
            r.error(in, StanzaErrorCondition.FORBIDDEN, "banned from this room");
            return r.effect().none();
        }
        XmlElement.Builder q = XmlElement.builder("query", Namespaces.IQ_REGISTER);
        String nick = s.registeredNick(from);
        if (nick != null) {
            q.child(XmlElement.of("registered", Namespaces.IQ_REGISTER)).textElement("username", Namespaces.IQ_REGISTER, nick);
        } else {
            q.textElement("instructions", Namespaces.IQ_REGISTER, "Register a nick in this room; it makes you a member.");
            q.child(new DataForm(DataForm.Type.FORM, "Nick registration", List.of(),
                    List.of(FormField.hidden("FORM_TYPE", Namespaces.MUC_REGISTER),
                            new FormField("muc#register_roomnick", FormField.Type.TEXT_SINGLE, "Desired Nickname", null, true,
                                    List.of(), List.of())),
                    List.of(), List.of()).toElement());
        }
        r.reply(Iq.of(in.stanza()).resultReply(q.build()));
        return r.effect().none();
    }

    /**
     * A submitted registration: the nick is reserved for the sender, who becomes a member (owners,
     * admins and members keep their affiliation); {@code <remove/>} releases it and the membership.
     */
    static Effect<RoomEntity.Event, RoomState> register(Room r, RoomState s, RoomEntity.Inbound in, Jid from, XmlElement q) {
        Affiliation aff = s.affiliation(from);
        Jid bare = from.bare();
        if (aff == Affiliation.OUTCAST) {
            r.error(in, StanzaErrorCondition.FORBIDDEN, "banned from this room");
            return r.effect().none();
        }
        if (q.element("remove", Namespaces.IQ_REGISTER) != null) {
            if (s.registeredNick(from) == null) {
                r.error(in, StanzaErrorCondition.ITEM_NOT_FOUND, "no nick registered");
                return r.effect().none();
            }
            List<RoomEntity.Event> events = new ArrayList<>(List.of(new RoomEntity.NickRegistered(bare, null)));
            if (aff == Affiliation.MEMBER) {
                events.add(new RoomEntity.AffiliationChanged(bare, Affiliation.NONE, null));
            }
            events.add(r.logged(bare, "unregister", null, null));
            return r.effect().persist(events).thenRun(st -> {
                r.reply(Iq.of(in.stanza()).resultReply(null));
                Affiliations.afterAffiliationChanges(r, s, st, events, from);
            });
        }
        XmlElement x = q.element("x", Namespaces.DATA_FORMS);
        DataForm form = x == null ? null : DataForm.fromElement(x);
        String nick = form == null ? null : form.value("muc#register_roomnick");
        if (form == null || form.type() != DataForm.Type.SUBMIT || nick == null || nick.isBlank() || nick.length() > RoomEntity.MAX_TEXT) {
            r.error(in, StanzaErrorCondition.BAD_REQUEST, "submit the form with muc#register_roomnick");
            return r.effect().none();
        }
        Jid owner = s.nickOwner(nick);
        Occupants.Occupant holder = r.occupants.byNick(nick);
        if (owner != null && !owner.equals(bare) || holder != null && !holder.bare.equals(bare)) {
            r.error(in, StanzaErrorCondition.CONFLICT, "nick registered or in use by someone else");
            return r.effect().none();
        }
        List<RoomEntity.Event> events = new ArrayList<>();
        if (aff == Affiliation.NONE) {
            events.add(new RoomEntity.AffiliationChanged(bare, Affiliation.MEMBER, null));
        }
        events.add(new RoomEntity.NickRegistered(bare, nick));
        events.add(r.logged(bare, "register", nick, null));
        return r.effect().persist(events).thenRun(st -> {
            r.reply(Iq.of(in.stanza()).resultReply(null));
            Affiliations.afterAffiliationChanges(r, s, st, events, from);
        });
    }
}
