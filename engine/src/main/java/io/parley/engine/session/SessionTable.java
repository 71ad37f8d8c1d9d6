package io.parley.engine.session;

import io.parley.engine.routing.ConnectionMessage;
import akka.actor.typed.ActorRef;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A user's live sessions by resource: the user entity's volatile state. */
public final class SessionTable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final Map<String, LiveSession> byResource = new LinkedHashMap<>();

    public LiveSession get(String resource) {
        return resource == null ? null : byResource.get(resource);
    }

    /** The session of this resource, only if it is still held by this connection. */
    LiveSession get(String resource, ActorRef<ConnectionMessage> connection) {
        LiveSession s = get(resource);
        return s != null && s.connection.equals(connection) ? s : null;
    }

    void put(LiveSession s) {
        byResource.put(s.resource, s);
    }

    void remove(LiveSession s) {
        byResource.remove(s.resource, s);
    }

    public boolean isEmpty() {
        return byResource.isEmpty();
    }

    public Collection<LiveSession> all() {
        return byResource.values();
    }

    public List<LiveSession> available() {
        List<LiveSession> out = new ArrayList<>();
        for (LiveSession s : byResource.values()) {
            if (s.isAvailable()) {
                out.add(s);
            }
        }
        return out;
    }

    public boolean anyAvailable() {
        for (LiveSession s : byResource.values()) {
            if (s.isAvailable()) {
                return true;
            }
        }
        return false;
    }

    /** A resource name no session uses. */
    String freshResource() {
        while (true) {
            StringBuilder b = new StringBuilder("parley-");
            for (int i = 0; i < 10; i++) {
                b.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
            }
            if (!byResource.containsKey(b.toString())) {
                return b.toString();
            }
        }
    }

    /**
     * Sends a stanza to each available session. One without {@code to} (an echo of the user's own
     * presence) is addressed to each session's full JID; one addressed to the bare JID keeps it
     * (RFC 6121 8.5.2.1: the server does not rewrite a bare {@code to}).
     */
    public void sendToAvailable(XmlElement stanza) {
        for (LiveSession s : available()) {
            s.send(addressed(stanza, s));
        }
    }

    /** Sends a stanza to each session with this flag (those that asked for the roster, or the block list). */
    public void sendToFlagged(XmlElement stanza, String flag) {
        for (LiveSession s : byResource.values()) {
            if (s.hasFlag(flag)) {
                s.send(addressed(stanza, s));
            }
        }
    }

    /** Tells every session's connection. */
    public void tellAll(io.parley.engine.routing.ToClient message) {
        for (LiveSession s : byResource.values()) {
            s.tell(message);
        }
    }

    /** The stanza addressed to the session's full JID when it has no 'to' (an echo of the user's own presence). */
    public static XmlElement addressed(XmlElement stanza, LiveSession s) {
        return stanza.attr("to") == null ? stanza.withAttr("to", s.jid.toString()) : stanza;
    }

    /** Everything a session needs to be listed by operators. */
    public record Info(Jid jid, boolean available, int priority, String show, String status) {
    }

    List<Info> describe() {
        List<Info> out = new ArrayList<>();
        for (LiveSession s : byResource.values()) {
            String ns = s.presence == null ? "" : s.presence.namespace();
            out.add(new Info(s.jid, s.isAvailable(), s.priority,
                    s.presence == null ? null : s.presence.elementText("show", ns),
                    s.presence == null ? null : s.presence.elementText("status", ns)));
        }
        return out;
    }
}
