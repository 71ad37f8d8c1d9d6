package io.parley.protocol.sasl;

import java.util.function.Supplier;

/**
 * The server side of one SASL exchange, as a pure state machine: no I/O, no threads. The
 * caller feeds the client's messages to {@link #respond} and, when asked, the account's
 * credentials to {@link #credentials}.
 */
public interface SaslServer {

    SaslMechanism mechanism();

    /**
     * Processes the client's next message: the initial response first ({@code null} when the
     * {@code <auth/>} carried none, an empty array for an explicit empty one), then each
     * {@code <response/>}.
     */
    SaslStep respond(byte[] clientMessage);

    /** Continues after {@link SaslStep.NeedCredentials}; {@code null} for an unknown account. */
    SaslStep credentials(StoredCredentials credentials);

    /** A server for a mechanism. */
    static SaslServer create(SaslMechanism mechanism) {
        return mechanism == SaslMechanism.PLAIN
                ? new PlainServer()
                : new ScramServer(mechanism.scramAlgorithm(), ScramServer.RANDOM_NONCE);
    }

    /** A server with a fixed nonce source, for test vectors. */
    static SaslServer create(SaslMechanism mechanism, Supplier<String> nonces) {
        return mechanism == SaslMechanism.PLAIN ? new PlainServer() : new ScramServer(mechanism.scramAlgorithm(), nonces);
    }
}
