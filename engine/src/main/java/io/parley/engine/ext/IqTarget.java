package io.parley.engine.ext;

/** Who an IQ request is addressed to, as a handler sees it. */
public enum IqTarget {
    /** The server's domain JID. */
    SERVER,
    /** No {@code to}, or the sender's own bare JID: the server answers for the sender's account. */
    OWN_ACCOUNT,
    /** Another local account's bare JID: the server answers on that account's behalf. */
    OTHER_ACCOUNT,
    /** Before authentication (only in-band registration), addressed to the server or to nobody. */
    UNAUTHENTICATED
}
