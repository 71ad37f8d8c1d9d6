package io.parley.protocol.sasl;

import java.util.function.Supplier;

/** The client side of one SASL exchange (for the bench and tests), as a pure state machine. */
public interface SaslClient {

    SaslMechanism mechanism();

    /** The initial response sent in {@code <auth/>}. */
    byte[] initialResponse();

    /**
     * Answers a challenge.
     *
     * @throws SaslClientException when the challenge is malformed or breaks the protocol
     */
    byte[] evaluateChallenge(byte[] challenge);

    /**
     * Checks {@code <success/>}'s additional data (SCRAM's server signature).
     *
     * @throws SaslClientException when the server failed to prove it knows the credentials
     */
    void verifySuccess(byte[] additionalData);

    static SaslClient create(SaslMechanism mechanism, String username, String password) {
        return create(mechanism, username, password, null, ScramServer.RANDOM_NONCE);
    }

    static SaslClient create(SaslMechanism mechanism, String username, String password, String authzid,
                             Supplier<String> nonces) {
        return mechanism == SaslMechanism.PLAIN
                ? new PlainClient(authzid, username, password)
                : new ScramClient(mechanism.scramAlgorithm(), username, password, authzid, nonces);
    }

    /** A client that reuses SaltedPassword values from a cache (SCRAM only; PLAIN ignores it). */
    static SaslClient create(SaslMechanism mechanism, String username, String password, ScramCache cache) {
        return mechanism == SaslMechanism.PLAIN
                ? new PlainClient(null, username, password)
                : new ScramClient(mechanism.scramAlgorithm(), username, password, null, ScramServer.RANDOM_NONCE, cache);
    }

    /** A SASL exchange the client must abandon. */
    final class SaslClientException extends RuntimeException {
        public SaslClientException(String message) {
            super(message);
        }
    }
}
