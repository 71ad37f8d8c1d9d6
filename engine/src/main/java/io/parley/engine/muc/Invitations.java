package io.parley.engine.muc;

import akka.persistence.typed.javadsl.Effect;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;

/** Mediated invitations and declines (section 7.8.2), carrying XEP-0249's element too; a members-only room makes the invitee a member. */
final class Invitations {

    private Invitations() {
    }

    /** Section 7.8.2: mediated invitations, and declines back to the inviter. */
    static Effect<RoomEntity.Event, RoomState> invitations(Room r, RoomState s, RoomEntity.Inbound in, Jid from, Occupants.Occupant sender, XmlElement x) {
        XmlElement decline = x.element("decline", Namespaces.MUC_USER);
        if (decline != null) {
            Jid inviter = Jid.ofOrNull(decline.attr("to"));
            if (inviter != null) {
                XmlElement.Builder d = XmlElement.builder("decline", Namespaces.MUC_USER).attr("from", from.bare().toString());
                XmlElement reason = decline.element("reason", Namespaces.MUC_USER);
                if (reason != null) {
                    d.child(reason);
                }
                r.reply(XmlElement.builder("message", Namespaces.CLIENT).attr("from", r.room.toString()).attr("to", inviter.toString())
                        .child(XmlElement.builder("x", Namespaces.MUC_USER).child(d.build()).build()).build());
            }
            return r.effect().none();
        }
        Affiliation aff = s.affiliation(from);
        if (sender == null && !aff.isAdminOrOwner()) {
            r.error(in, StanzaErrorCondition.NOT_ACCEPTABLE, "only occupants may invite");
            return r.effect().none();
        }
        if (!s.config().allowInvites() && !aff.isAdminOrOwner()) {
            r.error(in, StanzaErrorCondition.FORBIDDEN, "you may not invite others to this room");
            return r.effect().none();
        }
        List<RoomEntity.Event> events = new ArrayList<>();
        for (XmlElement invite : x.elements("invite", Namespaces.MUC_USER)) {
            Jid invitee = Jid.ofOrNull(invite.attr("to"));
            if (invitee == null) {
                r.error(in, StanzaErrorCondition.JID_MALFORMED, "invite to whom?");
                return r.effect().none();
            }
            XmlElement.Builder i = XmlElement.builder("invite", Namespaces.MUC_USER).attr("from", from.toString());
            XmlElement reason = invite.element("reason", Namespaces.MUC_USER);
            if (reason != null) {
                i.child(reason);
            }
            XmlElement.Builder ux = XmlElement.builder("x", Namespaces.MUC_USER).child(i.build());
            if (s.config().passwordProtected()) {
                ux.textElement("password", Namespaces.MUC_USER, s.config().password());
            }
            String text = from.bare() + " invites you to the room " + r.room + (reason == null ? "" : ": " + reason.text());
            r.reply(XmlElement.builder("message", Namespaces.CLIENT).attr("from", r.room.toString()).attr("to", invitee.toString())
                    .attr("id", in.stanza().attr("id"))
                    .child(ux.build())
                    .child(XmlElement.builder("x", Namespaces.CONFERENCE).attr("jid", r.room.toString()).build())
                    .textElement("body", Namespaces.CLIENT, text).build());
            if (s.config().membersOnly() && aff.isAdminOrOwner() && s.affiliation(invitee) == Affiliation.NONE) {
                events.add(new RoomEntity.AffiliationChanged(invitee.bare(), Affiliation.MEMBER, "invited"));
                events.add(r.logged(from.bare(), "affiliation", invitee.bare().toString(), "member (invited)"));
            }
        }
        return events.isEmpty() ? r.effect().none() : r.effect().persist(events);
    }
}
