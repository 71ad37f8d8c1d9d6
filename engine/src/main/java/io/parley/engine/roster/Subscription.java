package io.parley.engine.roster;

/**
 * The presence subscription between a user and one contact, as RFC 6121 Appendix A defines it:
 * four flags (to, from, pending out, pending in) with pendingOut implying !to and pendingIn
 * implying !from, plus the user's pre-approval. Immutable; transitions return new values.
 */
public record Subscription(boolean to, boolean from, boolean pendingOut, boolean pendingIn, boolean approved) {

    public static final Subscription NONE = new Subscription(false, false, false, false, false);

    public Subscription {
        if (pendingOut && to) {
            throw new IllegalArgumentException("pending out with a 'to' subscription");
        }
        if (pendingIn && from) {
            throw new IllegalArgumentException("pending in with a 'from' subscription");
        }
    }

    /** The roster's {@code subscription} attribute. */
    public String attribute() {
        return to && from ? "both" : to ? "to" : from ? "from" : "none";
    }

    /** True when the contact may see the user's presence ({@code from} or {@code both}). */
    public boolean contactSeesUser() {
        return from;
    }

    /** True when the user may see the contact's presence ({@code to} or {@code both}). */
    public boolean userSeesContact() {
        return to;
    }

    public Subscription withTo(boolean v) {
        return new Subscription(v, from, v ? false : pendingOut, pendingIn, approved);
    }

    public Subscription withFrom(boolean v) {
        return new Subscription(to, v, pendingOut, v ? false : pendingIn, approved);
    }

    public Subscription withPendingOut(boolean v) {
        return new Subscription(to, from, v, pendingIn, approved);
    }

    public Subscription withPendingIn(boolean v) {
        return new Subscription(to, from, pendingOut, v, approved);
    }

    public Subscription withApproved(boolean v) {
        return new Subscription(to, from, pendingOut, pendingIn, v);
    }

    /** What the server must do for one subscription stanza (RFC 6121 Appendix A). */
    public record Outcome(Subscription next, boolean route, boolean deliver, Auto autoReply,
                          boolean sendCurrentPresence, boolean sendUnavailable) {
        static Outcome ignore(Subscription s) {
            return new Outcome(s, false, false, Auto.NONE, false, false);
        }
    }

    /** An automatic reply the server sends on the user's behalf. */
    public enum Auto { NONE, SUBSCRIBED, UNSUBSCRIBED }

    // ---- the user sends (A.2) --------------------------------------------------------------------

    /** A.2.1: the user asks to see the contact's presence. Always routed. */
    public Outcome outboundSubscribe() {
        Subscription n = to ? this : withPendingOut(true);
        return new Outcome(n, true, false, Auto.NONE, false, false);
    }

    /** A.2.2: the user stops seeing the contact's presence. Always routed. */
    public Outcome outboundUnsubscribe() {
        return new Outcome(withTo(false).withPendingOut(false), true, false, Auto.NONE, false, false);
    }

    /** A.2.3 and 3.4: approve a pending request, or pre-approve one; otherwise ignore. */
    public Outcome outboundSubscribed() {
        if (pendingIn) {
            return new Outcome(withFrom(true).withApproved(false), true, false, Auto.NONE, true, false);
        }
        if (!from) {
            return new Outcome(withApproved(true), false, false, Auto.NONE, false, false);
        }
        return Outcome.ignore(this);
    }

    /** A.2.4: deny a request, cancel the contact's subscription, or cancel a pre-approval. */
    public Outcome outboundUnsubscribed() {
        if (from || pendingIn) {
            return new Outcome(withFrom(false).withPendingIn(false).withApproved(false), true, false, Auto.NONE, false, from);
        }
        return new Outcome(withApproved(false), false, false, Auto.NONE, false, false);
    }

    // ---- the contact sends (A.3) -----------------------------------------------------------------

    /** A.3.1 with 3.4.2: a request to see the user's presence. */
    public Outcome inboundSubscribe() {
        if (from) {
            return new Outcome(this, false, false, Auto.SUBSCRIBED, false, false);
        }
        if (pendingIn) {
            return Outcome.ignore(this);
        }
        if (approved) {
            return new Outcome(withFrom(true).withApproved(false), false, false, Auto.SUBSCRIBED, true, false);
        }
        return new Outcome(withPendingIn(true), false, true, Auto.NONE, false, false);
    }

    /** A.3.2: the contact stops seeing the user's presence (or withdraws a request). */
    public Outcome inboundUnsubscribe() {
        if (from || pendingIn) {
            return new Outcome(withFrom(false).withPendingIn(false), false, true, Auto.UNSUBSCRIBED, false, from);
        }
        return Outcome.ignore(this);
    }

    /** A.3.3: the contact approved the user's request. */
    public Outcome inboundSubscribed() {
        if (pendingOut) {
            return new Outcome(withTo(true), false, true, Auto.NONE, false, false);
        }
        return Outcome.ignore(this);
    }

    /** A.3.4: the contact denied the user's request or cancelled the user's subscription. */
    public Outcome inboundUnsubscribed() {
        if (pendingOut || to) {
            return new Outcome(withTo(false).withPendingOut(false), false, true, Auto.NONE, false, false);
        }
        return Outcome.ignore(this);
    }
}
