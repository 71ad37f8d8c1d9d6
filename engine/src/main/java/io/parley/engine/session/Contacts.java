package io.parley.engine.session;

import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import java.util.List;
import java.util.Set;

/**
 * Who may see a user's presence, as the user entity asks it: the roster (RFC 6121), which
 * implements this. The user entity knows the live sessions, the roster the subscriptions; this
 * interface is what lets the session package not depend on the roster package.
 */
public interface Contacts {

    /** A resource of {@code user} sent initial presence: probe the contacts it sees, tell those who see it. */
    void initialPresence(Jid user, Jid resource, XmlElement presence, Set<Jid> hiddenFrom);

    /** Broadcast presence (available or unavailable) to the contacts allowed to see it, but those hidden from. */
    void broadcast(Jid user, XmlElement presence, Set<Jid> hiddenFrom);

    /** A subscription stanza or probe for {@code user} from someone else, let through by the user entity. */
    void inbound(Jid user, XmlElement presence);

    /** Send the current presence again to those of these contacts who may see it (after unblocking them). */
    void resendPresence(Jid user, List<Jid> contacts);

    /** The account is gone: contacts are told, the roster forgotten. */
    void accountDeleted(Jid user);
}
