package io.parley.engine.muc;

import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.Stanza;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.List;
import java.util.Optional;

/**
 * The Multi-User Chat service's own address, {@code conference.<domain>} (XEP-0045 section 6):
 * it answers service discovery. Rooms are separate entities ({@link RoomEntity}).
 */
public final class MucService {

    /** What the service offers, in disco#info. */
    public static final List<String> FEATURES = List.of(Namespaces.MUC, Namespaces.DISCO_INFO, Namespaces.DISCO_ITEMS,
            Namespaces.OCCUPANT_ID, Namespaces.PING, Namespaces.RSM, "muc_persistent", "muc_temporary", "muc_open", "muc_membersonly",
            "muc_moderated", "muc_unmoderated", "muc_passwordprotected", "muc_unsecured", "muc_public", "muc_hidden",
            "muc_nonanonymous", "muc_semianonymous");

    private MucService() {
    }

    /** A disco#items request for the service: the room list, which {@link MucDirectory} answers. */
    public static boolean isRoomListing(XmlElement stanza) {
        if (!stanza.name().equals("iq") || !"get".equals(stanza.attr("type"))) {
            return false;
        }
        Iq iq = Iq.of(stanza);
        return iq.isWellFormed() && iq.payload().is("query", Namespaces.DISCO_ITEMS) && iq.payload().attr("node") == null;
    }

    /** The answer to a stanza for the service itself, if it gets one (the room list is {@link MucDirectory}'s). */
    public static Optional<XmlElement> answer(XmlElement stanza, Jid service) {
        if (!stanza.name().equals("iq")) {
            if (stanza.name().equals("message") && !"error".equals(stanza.attr("type"))) {
                return Optional.of(Stanza.of(stanza).errorReply(StanzaErrorCondition.SERVICE_UNAVAILABLE));
            }
            return Optional.empty();
        }
        Iq iq = Iq.of(stanza);
        if (!iq.isWellFormed() || !iq.isRequest()) {
            return Optional.empty();
        }
        XmlElement q = iq.payload();
        if (iq.type() == Iq.Type.GET && q.is("query", Namespaces.DISCO_INFO) && q.attr("node") == null) {
            XmlElement.Builder r = XmlElement.builder("query", Namespaces.DISCO_INFO)
                    .child(XmlElement.builder("identity", Namespaces.DISCO_INFO).attr("category", "conference")
                            .attr("type", "text").attr("name", "Chatrooms").build());
            FEATURES.forEach(f -> r.child(XmlElement.builder("feature", Namespaces.DISCO_INFO).attr("var", f).build()));
            return Optional.of(iq.resultReply(r.build()));
        }
        if (iq.type() == Iq.Type.GET && q.is("ping", Namespaces.PING)) {
            return Optional.of(iq.resultReply());
        }
        return Optional.of(iq.errorReply(StanzaErrorCondition.SERVICE_UNAVAILABLE));
    }
}
