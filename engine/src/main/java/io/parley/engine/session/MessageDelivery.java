package io.parley.engine.session;

import io.parley.protocol.stanza.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Where a message addressed to a local account goes (RFC 6121 section 8.5, table 8.5.4): the
 * pure decision, given the account's live sessions.
 */
public final class MessageDelivery {

    /** What to do with the message. */
    enum Action { DELIVER, STORE_OFFLINE, BOUNCE, DROP }

    record Decision(Action action, List<LiveSession> to) {
        static Decision of(Action a) {
            return new Decision(a, List.of());
        }
    }

    private MessageDelivery() {
    }

    /**
     * @param type the message type
     * @param toResource the addressed resource, or null for the bare JID
     * @param sessions the account's bound sessions
     * @param accountExists whether the account exists
     */
    static Decision decide(Message.Type type, String toResource, Collection<LiveSession> sessions, boolean accountExists) {
        if (!accountExists) {
            // 8.5.1: groupchat and iq bounce, the rest is silently ignored (no account harvesting)
            return Decision.of(type == Message.Type.GROUPCHAT ? Action.BOUNCE : Action.DROP);
        }
        if (toResource != null) {
            for (LiveSession s : sessions) {
                if (s.resource.equals(toResource)) {
                    return new Decision(Action.DELIVER, List.of(s));
                }
            }
            // 8.5.3.2.1: no such resource
            return switch (type) {
                case CHAT -> toBare(type, sessions);
                case ERROR, HEADLINE -> Decision.of(Action.DROP);
                default -> Decision.of(Action.BOUNCE);
            };
        }
        return toBare(type, sessions);
    }

    private static Decision toBare(Message.Type type, Collection<LiveSession> sessions) {
        switch (type) {
            case GROUPCHAT:
                return Decision.of(Action.BOUNCE);
            case ERROR:
                return Decision.of(Action.DROP);
            case HEADLINE: {
                List<LiveSession> all = new ArrayList<>();
                for (LiveSession s : sessions) {
                    if (s.isAvailable() && s.priority >= 0) {
                        all.add(s);
                    }
                }
                return all.isEmpty() ? Decision.of(Action.DROP) : new Decision(Action.DELIVER, all);
            }
            default: {
                // normal and chat: the highest non-negative priority wins; ties all receive it
                int best = -1;
                List<LiveSession> top = new ArrayList<>();
                for (LiveSession s : sessions) {
                    if (!s.isAvailable() || s.priority < 0) {
                        continue;
                    }
                    if (s.priority > best) {
                        best = s.priority;
                        top.clear();
                    }
                    if (s.priority == best) {
                        top.add(s);
                    }
                }
                return top.isEmpty() ? Decision.of(Action.STORE_OFFLINE) : new Decision(Action.DELIVER, top);
            }
        }
    }

    /** Whether an undeliverable message is worth keeping: it carries content, not just a chat state. */
    public static boolean worthStoring(Message m) {
        var e = m.element();
        return e.element("body", e.namespace()) != null || e.element("subject", e.namespace()) != null
                || e.element("store", "urn:xmpp:hints") != null;
    }
}
