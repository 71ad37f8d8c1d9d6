package io.parley.engine.roster;

import io.parley.persistence.CborSerializable;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.List;
import java.util.Objects;

/**
 * One contact of a roster. {@code inRoster} is false for a contact known only by a pending
 * inbound request (RFC 6121 A.1: no item exists until the user approves); such a record is not
 * shown in the roster. {@code pendingRequest} is the complete stored subscribe stanza.
 * {@code version} is the roster version of the item's last visible change.
 */
public record RosterItem(Jid jid, String name, List<String> groups, Subscription subscription, boolean inRoster,
                         XmlElement pendingRequest, long version) implements CborSerializable {

    public RosterItem {
        Objects.requireNonNull(jid, "jid");
        groups = List.copyOf(groups);
        Objects.requireNonNull(subscription, "subscription");
    }

    public static RosterItem hidden(Jid jid) {
        return new RosterItem(jid, null, List.of(), Subscription.NONE, false, null, 0);
    }

    public RosterItem withSubscription(Subscription s) {
        return new RosterItem(jid, name, groups, s, inRoster, s.pendingIn() ? pendingRequest : null, version);
    }

    public RosterItem shown() {
        return new RosterItem(jid, name, groups, subscription, true, pendingRequest, version);
    }

    public RosterItem withDetails(String newName, List<String> newGroups) {
        return new RosterItem(jid, newName, newGroups, subscription, true, pendingRequest, version);
    }

    public RosterItem withPendingRequest(XmlElement request) {
        return new RosterItem(jid, name, groups, subscription, inRoster, request, version);
    }

    public RosterItem withVersion(long v) {
        return new RosterItem(jid, name, groups, subscription, inRoster, pendingRequest, v);
    }

    /** What a roster push or result shows; a change to this is a visible change. */
    public XmlElement toElement() {
        XmlElement.Builder b = XmlElement.builder("item", Namespaces.ROSTER)
                .attr("jid", jid.toString())
                .attr("name", name)
                .attr("subscription", subscription.attribute());
        if (subscription.pendingOut()) {
            b.attr("ask", "subscribe");
        }
        if (subscription.approved()) {
            b.attr("approved", "true");
        }
        for (String g : groups) {
            b.textElement("group", Namespaces.ROSTER, g);
        }
        return b.build();
    }

    /** True when this record no longer means anything and can be forgotten. */
    boolean isEmpty() {
        return !inRoster && subscription.equals(Subscription.NONE);
    }
}
