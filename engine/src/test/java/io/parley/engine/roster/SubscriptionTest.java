package io.parley.engine.roster;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.roster.Subscription.Auto;
import io.parley.engine.roster.Subscription.Outcome;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 6121 Appendix A, row by row: for each of the nine states and each stanza, the new state
 * and what the server does. States: N, N+PO, N+PI, N+PO+PI, T, T+PI, F, F+PO, B.
 */
class SubscriptionTest {

    private static final Map<String, Subscription> STATES = Map.of(
            "N", Subscription.NONE,
            "N+PO", Subscription.NONE.withPendingOut(true),
            "N+PI", Subscription.NONE.withPendingIn(true),
            "N+PO+PI", Subscription.NONE.withPendingOut(true).withPendingIn(true),
            "T", Subscription.NONE.withTo(true),
            "T+PI", Subscription.NONE.withTo(true).withPendingIn(true),
            "F", Subscription.NONE.withFrom(true),
            "F+PO", Subscription.NONE.withFrom(true).withPendingOut(true),
            "B", Subscription.NONE.withTo(true).withFrom(true));

    private static final Map<String, Function<Subscription, Outcome>> STANZAS = Map.of(
            "out-subscribe", Subscription::outboundSubscribe,
            "out-unsubscribe", Subscription::outboundUnsubscribe,
            "out-subscribed", Subscription::outboundSubscribed,
            "out-unsubscribed", Subscription::outboundUnsubscribed,
            "in-subscribe", Subscription::inboundSubscribe,
            "in-unsubscribe", Subscription::inboundUnsubscribe,
            "in-subscribed", Subscription::inboundSubscribed,
            "in-unsubscribed", Subscription::inboundUnsubscribed);

    /** state, stanza, new state, routed (outbound) or delivered (inbound), auto-reply. */
    @ParameterizedTest(name = "{1} in {0} -> {2}")
    @CsvSource({
        // A.2.1 outbound subscribe: always routed
        "N, out-subscribe, N+PO, true, NONE", "N+PO, out-subscribe, N+PO, true, NONE", "N+PI, out-subscribe, N+PO+PI, true, NONE",
        "N+PO+PI, out-subscribe, N+PO+PI, true, NONE", "T, out-subscribe, T, true, NONE", "T+PI, out-subscribe, T+PI, true, NONE",
        "F, out-subscribe, F+PO, true, NONE", "F+PO, out-subscribe, F+PO, true, NONE", "B, out-subscribe, B, true, NONE",
        // A.2.2 outbound unsubscribe: always routed
        "N, out-unsubscribe, N, true, NONE", "N+PO, out-unsubscribe, N, true, NONE", "N+PI, out-unsubscribe, N+PI, true, NONE",
        "N+PO+PI, out-unsubscribe, N+PI, true, NONE", "T, out-unsubscribe, N, true, NONE", "T+PI, out-unsubscribe, N+PI, true, NONE",
        "F, out-unsubscribe, F, true, NONE", "F+PO, out-unsubscribe, F, true, NONE", "B, out-unsubscribe, F, true, NONE",
        // A.2.3 outbound subscribed: routed only when it approves a pending request
        "N+PI, out-subscribed, F, true, NONE", "N+PO+PI, out-subscribed, F+PO, true, NONE", "T+PI, out-subscribed, B, true, NONE",
        "F, out-subscribed, F, false, NONE", "F+PO, out-subscribed, F+PO, false, NONE", "B, out-subscribed, B, false, NONE",
        // A.2.4 outbound unsubscribed: routed when it denies or cancels
        "N+PI, out-unsubscribed, N, true, NONE", "N+PO+PI, out-unsubscribed, N+PO, true, NONE", "T+PI, out-unsubscribed, T, true, NONE",
        "F, out-unsubscribed, N, true, NONE", "F+PO, out-unsubscribed, N+PO, true, NONE", "B, out-unsubscribed, T, true, NONE",
        "N, out-unsubscribed, N, false, NONE", "T, out-unsubscribed, T, false, NONE",
        // A.3.1 inbound subscribe (no pre-approval)
        "N, in-subscribe, N+PI, true, NONE", "N+PO, in-subscribe, N+PO+PI, true, NONE", "N+PI, in-subscribe, N+PI, false, NONE",
        "N+PO+PI, in-subscribe, N+PO+PI, false, NONE", "T, in-subscribe, T+PI, true, NONE", "T+PI, in-subscribe, T+PI, false, NONE",
        "F, in-subscribe, F, false, SUBSCRIBED", "F+PO, in-subscribe, F+PO, false, SUBSCRIBED", "B, in-subscribe, B, false, SUBSCRIBED",
        // A.3.2 inbound unsubscribe
        "N, in-unsubscribe, N, false, NONE", "N+PO, in-unsubscribe, N+PO, false, NONE", "N+PI, in-unsubscribe, N, true, UNSUBSCRIBED",
        "N+PO+PI, in-unsubscribe, N+PO, true, UNSUBSCRIBED", "T, in-unsubscribe, T, false, NONE", "T+PI, in-unsubscribe, T, true, UNSUBSCRIBED",
        "F, in-unsubscribe, N, true, UNSUBSCRIBED", "F+PO, in-unsubscribe, N+PO, true, UNSUBSCRIBED", "B, in-unsubscribe, T, true, UNSUBSCRIBED",
        // A.3.3 inbound subscribed
        "N, in-subscribed, N, false, NONE", "N+PO, in-subscribed, T, true, NONE", "N+PI, in-subscribed, N+PI, false, NONE",
        "N+PO+PI, in-subscribed, T+PI, true, NONE", "T, in-subscribed, T, false, NONE", "T+PI, in-subscribed, T+PI, false, NONE",
        "F, in-subscribed, F, false, NONE", "F+PO, in-subscribed, B, true, NONE", "B, in-subscribed, B, false, NONE",
        // A.3.4 inbound unsubscribed
        "N, in-unsubscribed, N, false, NONE", "N+PO, in-unsubscribed, N, true, NONE", "N+PI, in-unsubscribed, N+PI, false, NONE",
        "N+PO+PI, in-unsubscribed, N+PI, true, NONE", "T, in-unsubscribed, N, true, NONE", "T+PI, in-unsubscribed, N+PI, true, NONE",
        "F, in-unsubscribed, F, false, NONE", "F+PO, in-unsubscribed, F, true, NONE", "B, in-unsubscribed, F, true, NONE",
    })
    void appendixA(String state, String stanza, String next, boolean routedOrDelivered, Auto auto) {
        Outcome o = STANZAS.get(stanza).apply(STATES.get(state));
        assertThat(o.next()).isEqualTo(STATES.get(next));
        assertThat(stanza.startsWith("out") ? o.route() : o.deliver()).isEqualTo(routedOrDelivered);
        assertThat(o.autoReply()).isEqualTo(auto);
    }

    @ParameterizedTest(name = "pre-approved {0} + subscribe -> {1}")
    @CsvSource({"N, F", "N+PO, F+PO", "T, B"})
    void preApprovalAcceptsTheNextRequest(String state, String next) {
        Subscription approved = STATES.get(state).outboundSubscribed().next();
        assertThat(approved.approved()).isTrue();
        Outcome o = approved.inboundSubscribe();
        assertThat(o.next()).isEqualTo(STATES.get(next));
        assertThat(o.deliver()).isFalse();
        assertThat(o.autoReply()).isEqualTo(Auto.SUBSCRIBED);
        assertThat(o.sendCurrentPresence()).isTrue();
        // and unsubscribed cancels a pre-approval without routing anything
        Outcome cancel = approved.outboundUnsubscribed();
        assertThat(cancel.next().approved()).isFalse();
        assertThat(cancel.route()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"F", "F+PO", "B"})
    void losingFromSendsUnavailableFirst(String state) {
        assertThat(STATES.get(state).outboundUnsubscribed().sendUnavailable()).isTrue();
        assertThat(STATES.get(state).inboundUnsubscribe().sendUnavailable()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"N+PI", "N+PO+PI", "T+PI"})
    void approvingSendsCurrentPresence(String state) {
        assertThat(STATES.get(state).outboundSubscribed().sendCurrentPresence()).isTrue();
    }

    @org.junit.jupiter.api.Test
    void attributes() {
        assertThat(STATES.get("B").attribute()).isEqualTo("both");
        assertThat(STATES.get("T+PI").attribute()).isEqualTo("to");
        assertThat(STATES.get("F+PO").attribute()).isEqualTo("from");
        assertThat(STATES.get("N+PO+PI").attribute()).isEqualTo("none");
    }
}
