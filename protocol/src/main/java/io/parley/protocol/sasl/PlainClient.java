package io.parley.protocol.sasl;

import java.nio.charset.StandardCharsets;

final class PlainClient implements SaslClient {

    private final byte[] message;

    PlainClient(String authzid, String username, String password) {
        message = ((authzid == null ? "" : authzid) + '\0' + username + '\0' + password).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public SaslMechanism mechanism() {
        return SaslMechanism.PLAIN;
    }

    @Override
    public byte[] initialResponse() {
        return message.clone();
    }

    @Override
    public byte[] evaluateChallenge(byte[] challenge) {
        if (challenge.length == 0) {
            return message.clone();
        }
        throw new SaslClientException("PLAIN takes no challenge");
    }

    @Override
    public void verifySuccess(byte[] additionalData) {
        // nothing to verify
    }
}
