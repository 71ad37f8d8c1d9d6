package io.parley.engine.muc;

import akka.persistence.typed.javadsl.Effect;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Discussion history (section 7.2.15): what a new occupant asked for, with delay stamps; a persistent room writes its messages and the join/leave entries of the operation log in batches. */
final class History {

    private History() {
    }

    /** Section 7.2.15: the history a new occupant asked for, with delay stamps. */
    static void sendHistory(Room r, RoomState s, Occupants.Session to, XmlElement request) {
        if (r.recent.isEmpty()) {
            return;
        }
        int maxStanzas = Integer.MAX_VALUE;
        int maxChars = Integer.MAX_VALUE;
        Instant since = null;
        if (request != null) {
            maxStanzas = intAttr(request, "maxstanzas", maxStanzas);
            maxChars = intAttr(request, "maxchars", maxChars);
            int seconds = intAttr(request, "seconds", -1);
            if (seconds >= 0) {
                since = r.deps.clock().instant().minusSeconds(seconds);
            }
            String sinceAttr = request.attr("since");
            if (sinceAttr != null) {
                try {
                    Instant t = Instant.parse(sinceAttr);
                    since = since == null || t.isAfter(since) ? t : since;
                } catch (DateTimeParseException e) {
                    // a bad stamp limits nothing
                }
            }
        }
        List<RoomState.HistoryItem> chosen = new ArrayList<>();
        int chars = 0;
        var it = r.recent.descendingIterator();
        while (it.hasNext() && chosen.size() < maxStanzas) {
            RoomState.HistoryItem h = it.next();
            if (since != null && !h.at().isAfter(since) || chars + h.chars() > maxChars) {
                break;
            }
            chars += h.chars();
            chosen.add(0, h);
        }
        for (RoomState.HistoryItem h : chosen) {
            XmlElement delay = XmlElement.builder("delay", Namespaces.DELAY).attr("from", r.room.toString())
                    .attr("stamp", h.at().toString()).build();
            r.deliver(h.message().withChild(delay), List.of(to));
        }
    }

    private static int intAttr(XmlElement e, String name, int otherwise) {
        String v = e.attr(name);
        if (v == null) {
            return otherwise;
        }
        try {
            return Math.max(0, Integer.parseInt(v.trim()));
        } catch (NumberFormatException ex) {
            return otherwise;
        }
    }

    static Effect<RoomEntity.Event, RoomState> flushHistory(Room r, RoomState s) {
        List<RoomEntity.Event> batch = unwrittenBatch(r, s);
        return batch.isEmpty() ? r.effect().none() : r.effect().persist(batch);
    }

    /** The history not written yet, as the event that writes it (none when there is nothing). */
    static List<RoomEntity.Event> unwrittenBatch(Room r, RoomState s) {
        if (!s.exists()) {
            r.unwritten.clear();
            r.unwrittenOps.clear();
            return List.of();
        }
        List<RoomEntity.Event> batch = new ArrayList<>(r.unwrittenOps.size() + 1);
        if (!r.unwritten.isEmpty()) {
            batch.add(new RoomEntity.HistoryAdded(List.copyOf(r.unwritten)));
            r.unwritten.clear();
        }
        r.unwrittenOps.forEach(op -> batch.add(new RoomEntity.OperationLogged(op)));
        r.unwrittenOps.clear();
        return batch;
    }

    /** A groupchat message with a body, for the history new occupants get; a persistent room writes it with the next batch. */
    static void add(Room r, RoomState s, XmlElement message, int chars) {
        if (s.config().historyLength() == 0) {
            return;
        }
        RoomState.HistoryItem h = new RoomState.HistoryItem(message, r.deps.clock().instant(), chars);
        r.recent.addLast(h);
        while (r.recent.size() > s.config().historyLength()) {
            r.recent.removeFirst();
        }
        if (s.config().persistent()) {
            r.unwritten.add(h);
            r.flushSoon();
        }
    }
}
