package io.parley.engine.ext;

import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;

/**
 * One link of a session's stanza chain (like Prosody's {@code pre-message/bare} handlers or
 * ejabberd's {@code user_send_packet} hook): it sees each stanza the client sends, or each one
 * about to be written to the client, and passes it on, changes it, swallows it, or answers it.
 * Called on the connection's thread, in order of priority; it allocates nothing to pass.
 */
@FunctionalInterface
public interface StanzaHook {

    /**
     * @param session the session the stanza belongs to
     * @param stanza the stanza as the hooks before this one left it ({@code from} stamped when the client sent it)
     * @param to its parsed {@code to}, null when it has none
     * @return the same stanza to pass it on, another to change it, or null to swallow it (a hook
     *     that answers sends the answer through {@link SessionContext#send} and swallows)
     */
    XmlElement apply(SessionContext session, XmlElement stanza, Jid to);
}
