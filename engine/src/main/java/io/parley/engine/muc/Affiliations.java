package io.parley.engine.muc;

import akka.persistence.typed.javadsl.Effect;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Roles and affiliations (sections 8 and 9): the lists a moderator, admin or owner may see, and changes checked item by item and applied all or none: kick, voice, moderator, member, admin, owner, ban. */
final class Affiliations {

    private Affiliations() {
    }

    static Effect<RoomEntity.Event, RoomState> adminGet(Room r, RoomState s, RoomEntity.Inbound in, Jid from, XmlElement q) {
        XmlElement item = q.element("item", Namespaces.MUC_ADMIN);
        Affiliation actor = s.affiliation(from);
        Occupants.Occupant asker = r.occupants.byJid(from);
        if (item == null) {
            r.error(in, StanzaErrorCondition.BAD_REQUEST, "ask for an affiliation or a role");
            return r.effect().none();
        }
        XmlElement.Builder out = XmlElement.builder("query", Namespaces.MUC_ADMIN);
        Affiliation a = Affiliation.fromValue(item.attr("affiliation"));
        Role role = Role.fromValue(item.attr("role"));
        if (a != null && a != Affiliation.NONE) {
            boolean allowed = actor.isAdminOrOwner() || a == Affiliation.MEMBER && actor == Affiliation.MEMBER;
            if (!allowed) {
                r.error(in, StanzaErrorCondition.FORBIDDEN, "only admins and owners see affiliation lists");
                return r.effect().none();
            }
            for (RoomState.AffiliationEntry e : s.affiliations().values()) {
                if (e.affiliation() == a) {
                    XmlElement.Builder i = XmlElement.builder("item", Namespaces.MUC_ADMIN).attr("affiliation", a.value())
                            .attr("jid", e.jid().toString());
                    Occupants.Occupant o = r.occupants.byBare(e.jid());
                    if (o != null) {
                        i.attr("nick", o.nick).attr("role", o.role.value());
                    } else if (e.nick() != null) {
                        i.attr("nick", e.nick());
                    }
                    if (e.reason() != null) {
                        i.textElement("reason", Namespaces.MUC_ADMIN, e.reason());
                    }
                    out.child(i.build());
                }
            }
        } else if (role == Role.MODERATOR || role == Role.PARTICIPANT || role == Role.VISITOR) {
            if (asker == null || asker.role != Role.MODERATOR) {
                r.error(in, StanzaErrorCondition.FORBIDDEN, "only moderators see role lists");
                return r.effect().none();
            }
            for (Occupants.Occupant o : r.occupants.all()) {
                if (o.role == role) {
                    out.child(XmlElement.builder("item", Namespaces.MUC_ADMIN).attr("role", role.value()).attr("nick", o.nick)
                            .attr("affiliation", o.affiliation.value()).attr("jid", o.sessions.keySet().iterator().next().toString())
                            .build());
                }
            }
        } else {
            r.error(in, StanzaErrorCondition.BAD_REQUEST, "an affiliation or role to list");
            return r.effect().none();
        }
        r.reply(Iq.of(in.stanza()).resultReply(out.build()));
        return r.effect().none();
    }

    /**
     * Every item of the request is checked first; then all are applied or none (section 9.1 ff.,
     * 8.1 ff.): a moderator changes roles of those it outranks, an admin affiliations up to member,
     * an owner any affiliation.
     */
    static Effect<RoomEntity.Event, RoomState> adminSet(Room r, RoomState s, RoomEntity.Inbound in, Jid from, XmlElement q) {
        Affiliation actorAff = s.affiliation(from);
        Occupants.Occupant actor = r.occupants.byJid(from);
        List<XmlElement> items = q.elements("item", Namespaces.MUC_ADMIN);
        if (items.isEmpty()) {
            r.error(in, StanzaErrorCondition.BAD_REQUEST, "no item");
            return r.effect().none();
        }
        List<RoomEntity.Event> events = new ArrayList<>();
        List<Runnable> roleChanges = new ArrayList<>();
        Map<Jid, Affiliation> affs = new LinkedHashMap<>();
        for (XmlElement item : items) {
            String reason = item.elementText("reason", Namespaces.MUC_ADMIN);
            Role role = Role.fromValue(item.attr("role"));
            Affiliation aff = Affiliation.fromValue(item.attr("affiliation"));
            if (item.attr("role") != null && role == null || item.attr("affiliation") != null && aff == null || role == null && aff == null) {
                r.error(in, StanzaErrorCondition.BAD_REQUEST, "an item names a valid role or affiliation");
                return r.effect().none();
            }
            if (role != null) {
                Occupants.Occupant target = item.attr("nick") == null ? null : r.occupants.byNick(item.attr("nick"));
                if (target == null) {
                    r.error(in, StanzaErrorCondition.ITEM_NOT_FOUND, "no occupant with that nick");
                    return r.effect().none();
                }
                StanzaErrorCondition refused = mayChangeRole(actor, actorAff, target, role);
                if (refused != null) {
                    r.error(in, refused, refused == StanzaErrorCondition.NOT_ALLOWED ? "you may not change this occupant's role"
                            : "only moderators change roles");
                    return r.effect().none();
                }
                events.add(r.logged(from.bare(), role == Role.NONE ? "kick" : "role", target.nick, role.value()
                        + (reason == null ? "" : ": " + reason)));
                Occupants.Occupant t = target;
                roleChanges.add(() -> applyRole(r, s, t, role, actor, reason));
            } else {
                Jid jid = item.attr("jid") == null ? null : Jid.ofOrNull(item.attr("jid"));
                if (jid == null && item.attr("nick") != null) {
                    Occupants.Occupant o = r.occupants.byNick(item.attr("nick"));
                    jid = o == null ? null : o.bare;
                }
                if (jid == null) {
                    r.error(in, StanzaErrorCondition.BAD_REQUEST, "an affiliation change names a jid");
                    return r.effect().none();
                }
                jid = jid.bare();
                StanzaErrorCondition refused = mayChangeAffiliation(s, actorAff, jid, aff);
                if (refused != null) {
                    r.error(in, refused, refused == StanzaErrorCondition.CONFLICT ? "the room would have no owner"
                            : "you may not change this affiliation");
                    return r.effect().none();
                }
                affs.put(jid, aff);
                events.add(new RoomEntity.AffiliationChanged(jid, aff, reason));
                events.add(r.logged(from.bare(), aff == Affiliation.OUTCAST ? "ban" : "affiliation", jid.toString(), aff.value()
                        + (reason == null ? "" : ": " + reason)));
            }
        }
        if (!affs.isEmpty()) {
            long owners = s.withAffiliation(Affiliation.OWNER).stream().filter(j -> !affs.containsKey(j) || affs.get(j) == Affiliation.OWNER).count()
                    + affs.entrySet().stream().filter(e -> e.getValue() == Affiliation.OWNER && s.affiliation(e.getKey()) != Affiliation.OWNER).count();
            if (owners == 0) {
                r.error(in, StanzaErrorCondition.CONFLICT, "the room would have no owner");
                return r.effect().none();
            }
        }
        return r.effect().persist(events).thenRun(st -> {
            r.reply(Iq.of(in.stanza()).resultReply(null));
            roleChanges.forEach(Runnable::run);
            afterAffiliationChanges(r, s, st, events, from);
        });
    }

    /** Section 8: null when allowed, else the error condition. */
    private static StanzaErrorCondition mayChangeRole(Occupants.Occupant actor, Affiliation actorAff, Occupants.Occupant target, Role role) {
        if (actor == null || actor.role != Role.MODERATOR) {
            return StanzaErrorCondition.FORBIDDEN;
        }
        if (target.affiliation.isAdminOrOwner() && (role != Role.MODERATOR)) {
            // nobody kicks, silences or demotes an admin or owner through roles (sections 8.2, 8.4, 8.6)
            return StanzaErrorCondition.NOT_ALLOWED;
        }
        if (role == Role.MODERATOR || target.role == Role.MODERATOR && role != Role.NONE) {
            return actorAff.isAdminOrOwner() ? null : StanzaErrorCondition.FORBIDDEN;
        }
        if (target.role == Role.MODERATOR && !actorAff.isAdminOrOwner()) {
            return StanzaErrorCondition.NOT_ALLOWED;
        }
        return null;
    }

    /** Section 9 and 10: admins handle members, none and outcasts below admin; owners everything. */
    private static StanzaErrorCondition mayChangeAffiliation(RoomState s, Affiliation actorAff, Jid target, Affiliation to) {
        Affiliation current = s.affiliation(target);
        if (actorAff == Affiliation.OWNER) {
            return null;
        }
        if (actorAff == Affiliation.ADMIN) {
            if (to.isAdminOrOwner() || current.isAdminOrOwner()) {
                return StanzaErrorCondition.NOT_ALLOWED;
            }
            return null;
        }
        return StanzaErrorCondition.FORBIDDEN;
    }

    static void applyRole(Room r, RoomState s, Occupants.Occupant target, Role role, Occupants.Occupant actor, String reason) {
        if (r.occupants.byNick(target.nick) != target) {
            return;
        }
        if (role == Role.NONE) {
            r.removeOccupant(s, target, List.of(307), actor, reason);
            return;
        }
        target.role = role;
        r.broadcastPresence(s, target, false, r.itemChildren(actor, reason), null, List.of(), List.of(110), null);
    }

    /** Occupants whose affiliation changed hear it; the banned and those who lost membership leave. */
    static void afterAffiliationChanges(Room r, RoomState before, RoomState after, List<RoomEntity.Event> events, Jid by) {
        Occupants.Occupant actor = r.occupants.byJid(by);
        for (RoomEntity.Event e : events) {
            if (!(e instanceof RoomEntity.AffiliationChanged c)) {
                continue;
            }
            Occupants.Occupant o = r.occupants.byBare(c.jid());
            if (o == null) {
                continue;
            }
            o.affiliation = c.affiliation();
            if (c.affiliation() == Affiliation.OUTCAST) {
                r.removeOccupant(after, o, List.of(301), actor, c.reason());
            } else if (after.config().membersOnly() && c.affiliation() == Affiliation.NONE) {
                r.removeOccupant(after, o, List.of(321), actor, c.reason());
            } else {
                Role role = Role.defaultFor(c.affiliation(), after.config().moderated());
                if (c.affiliation().isAdminOrOwner() || o.role == Role.MODERATOR && !c.affiliation().isAdminOrOwner()) {
                    o.role = role;
                }
                r.broadcastPresence(after, o, false, r.itemChildren(actor, c.reason()), null, List.of(), List.of(110), null);
            }
        }
        if (r.occupants.isEmpty() && !after.config().persistent() && !before.equals(after)) {
            r.timers.startSingleTimer(RoomEntity.Tick.IDLE, r.deps.settings().emptyRoomIdle());
        }
    }
}
