package io.parley.engine.muc;

import akka.persistence.typed.javadsl.Effect;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xep.dataforms.DataForm;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;

/** Owner use cases (section 10): the configuration form, its submission (with the owner and admin lists and the status codes occupants get for changes, 10.2.1), cancelling a new room, and destroying a room with an alternate venue (10.9). */
final class Configuration {

    private Configuration() {
    }

    static Effect<RoomEntity.Event, RoomState> ownerGet(Room r, RoomState s, RoomEntity.Inbound in, Jid from) {
        if (s.affiliation(from) != Affiliation.OWNER) {
            r.error(in, StanzaErrorCondition.FORBIDDEN, "only owners configure the room");
            return r.effect().none();
        }
        DataForm form = s.config().toForm(s.withAffiliation(Affiliation.OWNER), s.withAffiliation(Affiliation.ADMIN),
                r.deps.settings().maxOccupants(), r.deps.settings().maxHistory());
        r.reply(Iq.of(in.stanza()).resultReply(XmlElement.builder("query", Namespaces.MUC_OWNER).child(form.toElement()).build()));
        return r.effect().none();
    }

    static Effect<RoomEntity.Event, RoomState> ownerSet(Room r, RoomState s, RoomEntity.Inbound in, Jid from, XmlElement q) {
        if (s.affiliation(from) != Affiliation.OWNER) {
            r.error(in, StanzaErrorCondition.FORBIDDEN, "only owners configure or destroy the room");
            return r.effect().none();
        }
        XmlElement destroy = q.element("destroy", Namespaces.MUC_OWNER);
        if (destroy != null) {
            return destroy(r, s, in, from, destroy);
        }
        XmlElement x = q.element("x", Namespaces.DATA_FORMS);
        if (x == null) {
            r.error(in, StanzaErrorCondition.BAD_REQUEST, "a configuration form or destroy");
            return r.effect().none();
        }
        DataForm form;
        try {
            form = DataForm.fromElement(x);
        } catch (IllegalArgumentException e) {
            r.error(in, StanzaErrorCondition.BAD_REQUEST, e.getMessage());
            return r.effect().none();
        }
        if (form.type() == DataForm.Type.CANCEL) {
            // section 10.1.3: cancelling the configuration of a new, locked room destroys it
            Effect<RoomEntity.Event, RoomState> cancelled = s.locked() ? destroyNow(r, s, null, null, null) : r.effect().none();
            r.reply(Iq.of(in.stanza()).resultReply(null));
            return cancelled;
        }
        if (form.type() != DataForm.Type.SUBMIT) {
            r.error(in, StanzaErrorCondition.BAD_REQUEST, "submit or cancel the form");
            return r.effect().none();
        }
        RoomConfig.Applied applied = s.config().applyForm(form, r.deps.settings().maxOccupants(), r.deps.settings().maxHistory(), RoomEntity.MAX_TEXT);
        if (applied.error() != null) {
            r.error(in, StanzaErrorCondition.NOT_ACCEPTABLE, applied.error());
            return r.effect().none();
        }
        List<RoomEntity.Event> events = new ArrayList<>();
        RoomConfig before = s.config();
        RoomConfig after = applied.config();
        if (!after.equals(before)) {
            events.add(new RoomEntity.RoomConfigured(after));
        }
        if (s.locked()) {
            events.add(RoomEntity.RoomUnlocked.INSTANCE);
        }
        if (applied.owners() != null) {
            if (applied.owners().isEmpty()) {
                r.error(in, StanzaErrorCondition.CONFLICT, "a room needs an owner");
                return r.effect().none();
            }
            listChanges(s, Affiliation.OWNER, applied.owners(), events);
        }
        if (applied.admins() != null) {
            listChanges(s, Affiliation.ADMIN, applied.admins(), events);
        }
        events.add(r.logged(from.bare(), "configure", null, after.changesFrom(before)));
        return r.effect().persist(events).thenRun(st -> {
            r.reply(Iq.of(in.stanza()).resultReply(null));
            Affiliations.afterAffiliationChanges(r, s, st, events, from);
            configChanged(r, before, st);
            r.syncListing(st);
        });
    }

    /** Affiliation events that make the list {@code a} equal to {@code wanted}. */
    private static void listChanges(RoomState s, Affiliation a, List<Jid> wanted, List<RoomEntity.Event> events) {
        for (Jid j : s.withAffiliation(a)) {
            if (!wanted.contains(j)) {
                events.add(new RoomEntity.AffiliationChanged(j, Affiliation.NONE, null));
            }
        }
        for (Jid j : wanted) {
            if (s.affiliation(j) != a) {
                events.add(new RoomEntity.AffiliationChanged(j, a, null));
            }
        }
    }

    /** Section 10.2.1: occupants hear of changes that concern privacy (and 104 for the rest). */
    private static void configChanged(Room r, RoomConfig before, RoomState after) {
        RoomConfig c = after.config();
        List<Integer> codes = new ArrayList<>();
        if (before.whoisAnyone() != c.whoisAnyone()) {
            codes.add(c.whoisAnyone() ? 172 : 173);
        }
        if (before.logging() != c.logging()) {
            codes.add(c.logging() ? 170 : 171);
        }
        if (!before.equals(c)) {
            codes.add(104);
        }
        if (!codes.isEmpty() && !r.occupants.isEmpty()) {
            XmlElement.Builder x = XmlElement.builder("x", Namespaces.MUC_USER);
            codes.forEach(code -> x.child(XmlElement.builder("status", Namespaces.MUC_USER).attr("code", code.toString()).build()));
            r.toAll(XmlElement.builder("message", Namespaces.CLIENT).attr("from", r.room.toString()).attr("type", "groupchat")
                    .attr("id", "config-" + System.nanoTime()).child(x.build()).build());
        }
        if (c.membersOnly() && !before.membersOnly()) {
            // section 9.3 / 10.2: non-members leave a room that became members-only (322)
            for (Occupants.Occupant o : List.copyOf(r.occupants.all())) {
                if (!(o.affiliation == Affiliation.MEMBER || o.affiliation.isAdminOrOwner())) {
                    r.removeOccupant(after, o, List.of(322), null, null);
                }
            }
        }
        if (c.moderated() != before.moderated()) {
            for (Occupants.Occupant o : r.occupants.all()) {
                Role role = Role.defaultFor(o.affiliation, c.moderated());
                if (o.role != Role.MODERATOR && role != o.role) {
                    o.role = role;
                    r.broadcastPresence(after, o, false, null, null, List.of(), List.of(110), null);
                }
            }
        }
    }

    /** Section 10.9: every occupant is told, with the alternate venue; the room is forgotten. */
    private static Effect<RoomEntity.Event, RoomState> destroy(Room r, RoomState s, RoomEntity.Inbound in, Jid from, XmlElement destroy) {
        XmlElement.Builder d = XmlElement.builder("destroy", Namespaces.MUC_USER).attr("jid", destroy.attr("jid"));
        XmlElement reason = destroy.element("reason", Namespaces.MUC_OWNER);
        if (reason != null) {
            d.textElement("reason", Namespaces.MUC_USER, reason.text());
        }
        String password = destroy.elementText("password", Namespaces.MUC_OWNER);
        if (password != null) {
            d.textElement("password", Namespaces.MUC_USER, password);
        }
        // section 10.9: the occupants are told first, then the owner gets the result; the other way
        // round the result could overtake the owner's own unavailable presence (the reply goes through
        // the owner's user entity), and a client joining again at once would take that presence for
        // the answer to its join
        Effect<RoomEntity.Event, RoomState> destroyed = destroyNow(r, s, d.build(), from, reason == null ? null : reason.text());
        r.reply(Iq.of(in.stanza()).resultReply(null));
        return destroyed;
    }

    private static Effect<RoomEntity.Event, RoomState> destroyNow(Room r, RoomState s, XmlElement destroyElement, Jid by, String reason) {
        for (Occupants.Occupant o : List.copyOf(r.occupants.all())) {
            o.affiliation = Affiliation.NONE;
            r.broadcastPresence(s, o, true, null, null, List.of(), List.of(110), destroyElement);
            r.occupants.remove(o);
            o.sessions.values().forEach(r::unwatch);
        }
        return r.end();
    }
}
