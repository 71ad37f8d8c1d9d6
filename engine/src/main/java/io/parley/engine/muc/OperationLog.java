package io.parley.engine.muc;

import akka.persistence.typed.javadsl.Effect;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;

/** The owner's operation log ({@code urn:parley:muc:log:0}): who created, configured, kicked, banned, changed affiliations or the subject, joined or left; the newest entries, with an XEP-0059 {@code max}. */
final class OperationLog {

    private OperationLog() {
    }

    /**
     * The operation log for an owner ({@code urn:parley:muc:log:0}): the most recent entries, oldest
     * first, at most the XEP-0059 {@code max} asked for (100 if none).
     */
    static Effect<RoomEntity.Event, RoomState> readLog(Room r, RoomState s, RoomEntity.Inbound in, Jid from, XmlElement q) {
        if (s.affiliation(from) != Affiliation.OWNER) {
            r.error(in, StanzaErrorCondition.FORBIDDEN, "only owners read the operation log");
            return r.effect().none();
        }
        int max = 100;
        XmlElement set = q.element("set", Namespaces.RSM);
        if (set != null && set.elementText("max", Namespaces.RSM) != null) {
            try {
                max = Math.max(0, Math.min(RoomState.MAX_LOG, Integer.parseInt(set.elementText("max", Namespaces.RSM).trim())));
            } catch (NumberFormatException e) {
                r.error(in, StanzaErrorCondition.BAD_REQUEST, "max is a number");
                return r.effect().none();
            }
        }
        List<RoomState.Operation> all = new ArrayList<>(s.log());
        all.addAll(r.unwrittenOps);
        // joins and leaves are written in batches, after actions logged at once: time orders them
        all.sort(java.util.Comparator.comparing(RoomState.Operation::at));
        List<RoomState.Operation> last = all.subList(Math.max(0, all.size() - max), all.size());
        XmlElement.Builder result = XmlElement.builder("query", Namespaces.PARLEY_MUC_LOG);
        for (RoomState.Operation op : last) {
            XmlElement.Builder e = XmlElement.builder("op", Namespaces.PARLEY_MUC_LOG).attr("at", op.at().toString())
                    .attr("action", op.action()).attr("by", op.actor()).attr("target", op.target());
            if (op.detail() != null) {
                e.text(op.detail());
            }
            result.child(e.build());
        }
        result.child(XmlElement.builder("set", Namespaces.RSM).textElement("count", Namespaces.RSM, Integer.toString(all.size())).build());
        r.reply(Iq.of(in.stanza()).resultReply(result.build()));
        return r.effect().none();
    }
}
