package io.parley.protocol.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScramTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static Supplier<String> fixed(String... nonces) {
        ArrayDeque<String> q = new ArrayDeque<>(List.of(nonces));
        return q::poll;
    }

    /** RFC 5802 section 5: the SCRAM-SHA-1 exchange, byte for byte, from both sides. */
    @Test
    void rfc5802Sha1Vector() {
        StoredCredentials creds = StoredCredentials.fromPassword("pencil", Base64.getDecoder().decode("QSXCR+Q6sek8bf92"), 4096);
        SaslClient client = SaslClient.create(SaslMechanism.SCRAM_SHA_1, "user", "pencil", null, fixed("fyko+d2lbbFgONRv9qkxdawL"));
        SaslServer server = SaslServer.create(SaslMechanism.SCRAM_SHA_1, fixed("3rfcNHYJY1ZVvWVs7j"));

        byte[] clientFirst = client.initialResponse();
        assertThat(s(clientFirst)).isEqualTo("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
        assertThat(server.respond(clientFirst)).isEqualTo(new SaslStep.NeedCredentials("user"));
        SaslStep.Challenge serverFirst = (SaslStep.Challenge) server.credentials(creds);
        assertThat(s(serverFirst.data())).isEqualTo("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096");
        byte[] clientFinal = client.evaluateChallenge(serverFirst.data());
        assertThat(s(clientFinal)).isEqualTo("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
        SaslStep.Success success = (SaslStep.Success) server.respond(clientFinal);
        assertThat(s(success.additionalData())).isEqualTo("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=");
        assertThat(success.username()).isEqualTo("user");
        assertThat(success.authzid()).isNull();
        client.verifySuccess(success.additionalData());
    }

    /** RFC 7677 section 3: the SCRAM-SHA-256 exchange. */
    @Test
    void rfc7677Sha256Vector() {
        StoredCredentials creds = StoredCredentials.fromPassword("pencil", Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        SaslClient client = SaslClient.create(SaslMechanism.SCRAM_SHA_256, "user", "pencil", null, fixed("rOprNGfwEbeRWgbNEkqO"));
        SaslServer server = SaslServer.create(SaslMechanism.SCRAM_SHA_256, fixed("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"));

        assertThat(server.respond(client.initialResponse())).isInstanceOf(SaslStep.NeedCredentials.class);
        SaslStep.Challenge serverFirst = (SaslStep.Challenge) server.credentials(creds);
        assertThat(s(serverFirst.data())).isEqualTo(
                "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
        byte[] clientFinal = client.evaluateChallenge(serverFirst.data());
        assertThat(s(clientFinal)).isEqualTo("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        SaslStep.Success success = (SaslStep.Success) server.respond(clientFinal);
        assertThat(s(success.additionalData())).isEqualTo("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        client.verifySuccess(success.additionalData());
    }

    @ParameterizedTest
    @EnumSource(SaslMechanism.class)
    void everyMechanismRoundTripsWithNonAsciiNames(SaslMechanism mechanism) {
        StoredCredentials creds = StoredCredentials.fromPassword("Pässwörd 😀");
        SaslClient client = SaslClient.create(mechanism, "Jülïet,=x", "Pässwörd 😀");
        SaslServer server = SaslServer.create(mechanism);
        SaslStep step = server.respond(client.initialResponse());
        assertThat(step).isEqualTo(new SaslStep.NeedCredentials("jülïet,=x"));
        step = server.credentials(creds);
        if (step instanceof SaslStep.Challenge c) {
            step = server.respond(client.evaluateChallenge(c.data()));
        }
        SaslStep.Success success = (SaslStep.Success) step;
        assertThat(success.username()).isEqualTo("jülïet,=x");
        client.verifySuccess(success.additionalData());
    }

    @ParameterizedTest
    @EnumSource(SaslMechanism.class)
    void wrongPasswordFails(SaslMechanism mechanism) {
        StoredCredentials creds = StoredCredentials.fromPassword("right");
        SaslClient client = SaslClient.create(mechanism, "user", "wrong");
        SaslServer server = SaslServer.create(mechanism);
        server.respond(client.initialResponse());
        SaslStep step = server.credentials(creds);
        if (step instanceof SaslStep.Challenge c) {
            step = server.respond(client.evaluateChallenge(c.data()));
        }
        assertThat(step).isEqualTo(SaslStep.Failure.of(SaslFailure.NOT_AUTHORIZED, null));
    }

    @ParameterizedTest
    @EnumSource(value = SaslMechanism.class, names = {"SCRAM_SHA_1", "SCRAM_SHA_256", "SCRAM_SHA_512"})
    void unknownUsersGetAStableChallengeAndFailOnlyAtTheProof(SaslMechanism mechanism) {
        SaslServer server = SaslServer.create(mechanism);
        SaslClient client = SaslClient.create(mechanism, "nobody", "x");
        server.respond(client.initialResponse());
        SaslStep.Challenge first = (SaslStep.Challenge) server.credentials(null);
        assertThat(server.respond(client.evaluateChallenge(first.data())))
                .isEqualTo(SaslStep.Failure.of(SaslFailure.NOT_AUTHORIZED, null));
        // the fake salt is the same on every attempt, like a real account's
        SaslServer again = SaslServer.create(mechanism);
        again.respond(SaslClient.create(mechanism, "nobody", "x").initialResponse());
        String salt1 = s(first.data()).split(",")[1];
        String salt2 = s(((SaslStep.Challenge) again.credentials(null)).data()).split(",")[1];
        assertThat(salt1).isEqualTo(salt2);
    }

    @Test
    void aReplayedClientFinalIsRefused() {
        StoredCredentials creds = StoredCredentials.fromPassword("pencil");
        SaslClient client = SaslClient.create(SaslMechanism.SCRAM_SHA_256, "user", "pencil");
        SaslServer first = SaslServer.create(SaslMechanism.SCRAM_SHA_256);
        first.respond(client.initialResponse());
        byte[] clientFinal = client.evaluateChallenge(((SaslStep.Challenge) first.credentials(creds)).data());
        assertThat(first.respond(clientFinal)).isInstanceOf(SaslStep.Success.class);
        // an eavesdropper replays the same messages to a new exchange: the server nonce differs
        SaslServer second = SaslServer.create(SaslMechanism.SCRAM_SHA_256);
        second.respond(client.initialResponse());
        second.credentials(creds);
        SaslStep replay = second.respond(clientFinal);
        assertThat(replay).isInstanceOf(SaslStep.Failure.class);
        assertThat(((SaslStep.Failure) replay).condition()).isEqualTo(SaslFailure.NOT_AUTHORIZED);
        // and a finished exchange takes nothing more
        assertThat(first.respond(clientFinal)).isInstanceOf(SaslStep.Failure.class);
    }

    @Test
    void aTamperedProofOrChannelBindingIsRefused() {
        StoredCredentials creds = StoredCredentials.fromPassword("pencil");
        for (String tamper : List.of("proof", "cbind", "nonce")) {
            SaslClient client = SaslClient.create(SaslMechanism.SCRAM_SHA_1, "user", "pencil");
            SaslServer server = SaslServer.create(SaslMechanism.SCRAM_SHA_1);
            server.respond(client.initialResponse());
            String fin = s(client.evaluateChallenge(((SaslStep.Challenge) server.credentials(creds)).data()));
            String bad = switch (tamper) {
                case "proof" -> fin.substring(0, fin.length() - 6) + "AAAAA=";
                case "cbind" -> fin.replace("c=biws", "c=eSws");
                default -> fin.replaceFirst(",r=([^,]*),", ",r=$1x,");
            };
            assertThat(server.respond(b(bad))).as(tamper).isInstanceOf(SaslStep.Failure.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "n", "n,", "x,,n=user,r=abc", "n,,r=abc", "n,,n=user", "n,,m=ext,n=user,r=abc", "n,,n=us=er,r=abc",
        "n,,n=user,r=a,bc", "n,b=x,n=user,r=abc", "n,a=,n=user,r=abc", "n,,n=,r=abc",
    })
    void malformedClientFirstMessagesAreRefused(String message) {
        SaslStep step = SaslServer.create(SaslMechanism.SCRAM_SHA_256).respond(b(message));
        assertThat(step).isInstanceOf(SaslStep.Failure.class);
        assertThat(((SaslStep.Failure) step).condition()).isIn(SaslFailure.MALFORMED_REQUEST, SaslFailure.NOT_AUTHORIZED);
    }

    @Test
    void channelBindingRequestsAreRefusedAndTheYFlagIsAccepted() {
        assertThat(SaslServer.create(SaslMechanism.SCRAM_SHA_256).respond(b("p=tls-exporter,,n=user,r=abc")))
                .isInstanceOf(SaslStep.Failure.class);
        assertThat(SaslServer.create(SaslMechanism.SCRAM_SHA_256).respond(b("y,,n=user,r=abc")))
                .isEqualTo(new SaslStep.NeedCredentials("user"));
    }

    @Test
    void malformedClientFinalMessagesAreRefused() {
        for (String fin : List.of("c=biws", "garbage", "c=!!!,r=x,p=AAAA", "r=x,c=biws,p=AAAA", "c=biws,r=x,p=%%%")) {
            SaslServer server = SaslServer.create(SaslMechanism.SCRAM_SHA_256);
            server.respond(b("n,,n=user,r=abc"));
            server.credentials(StoredCredentials.fromPassword("pw"));
            assertThat(server.respond(b(fin))).as(fin).isInstanceOf(SaslStep.Failure.class);
        }
    }

    @Test
    void invalidUtf8IsMalformed() {
        assertThat(SaslServer.create(SaslMechanism.SCRAM_SHA_1).respond(new byte[] {'n', ',', ',', (byte) 0xC3, 0x28}))
                .isEqualTo(SaslStep.Failure.of(SaslFailure.MALFORMED_REQUEST, "not UTF-8"));
    }

    @Test
    void noInitialResponseGetsAnEmptyChallenge() {
        for (SaslMechanism m : SaslMechanism.values()) {
            SaslStep step = SaslServer.create(m).respond(null);
            assertThat(step).isInstanceOf(SaslStep.Challenge.class);
            assertThat(((SaslStep.Challenge) step).data()).isEmpty();
        }
    }

    @Test
    void authzidIsPassedOnForTheCallerToCheck() {
        SaslClient client = SaslClient.create(SaslMechanism.SCRAM_SHA_1, "user", "pencil", "admin@example.com", fixed("abc"));
        assertThat(s(client.initialResponse())).isEqualTo("n,a=admin@example.com,n=user,r=abc");
        SaslServer server = SaslServer.create(SaslMechanism.SCRAM_SHA_1);
        server.respond(client.initialResponse());
        byte[] fin = client.evaluateChallenge(((SaslStep.Challenge) server.credentials(StoredCredentials.fromPassword("pencil"))).data());
        assertThat(((SaslStep.Success) server.respond(fin)).authzid()).isEqualTo("admin@example.com");
    }

    @Test
    void plainMessagesAreValidated() {
        StoredCredentials creds = StoredCredentials.fromPassword("secret");
        SaslServer ok = SaslServer.create(SaslMechanism.PLAIN);
        assertThat(ok.respond(b("\0User\0secret"))).isEqualTo(new SaslStep.NeedCredentials("user"));
        assertThat(ok.credentials(creds)).isEqualTo(new SaslStep.Success("user", null, null));
        for (String bad : List.of("user", "\0user", "a\0b\0c\0d")) {
            assertThat(SaslServer.create(SaslMechanism.PLAIN).respond(b(bad)))
                    .isEqualTo(SaslStep.Failure.of(SaslFailure.MALFORMED_REQUEST, "expected authzid NUL authcid NUL password"));
        }
        assertThat(SaslServer.create(SaslMechanism.PLAIN).respond(b("\0\0secret"))).isInstanceOf(SaslStep.Failure.class);
        assertThat(SaslServer.create(SaslMechanism.PLAIN).respond(b("\0a b\0secret"))).isInstanceOf(SaslStep.Failure.class);
        SaslServer unknown = SaslServer.create(SaslMechanism.PLAIN);
        unknown.respond(b("\0ghost\0secret"));
        assertThat(unknown.credentials(null)).isEqualTo(SaslStep.Failure.of(SaslFailure.NOT_AUTHORIZED, null));
    }

    @Test
    void storedCredentialsKeepNoPasswordAndVerifyIt() {
        StoredCredentials c = StoredCredentials.fromPassword("correct horse", 4096);
        for (ScramAlgorithm a : ScramAlgorithm.values()) {
            ScramCredentials sc = c.get(a);
            assertThat(sc.iterations()).isEqualTo(4096);
            assertThat(sc.salt()).hasSize(16);
            assertThat(new String(sc.storedKey(), StandardCharsets.ISO_8859_1)).doesNotContain("correct horse");
        }
        assertThat(c.get(ScramAlgorithm.SHA_1).salt()).isEqualTo(c.get(ScramAlgorithm.SHA_512).salt());
        assertThat(c.verifyPassword("correct horse")).isTrue();
        assertThat(c.verifyPassword("Correct horse")).isFalse();
        assertThat(c.verifyPassword("")).isFalse();
        assertThat(StoredCredentials.fromPassword("correct horse")).isNotEqualTo(c); // fresh salt each time
        assertThatThrownBy(() -> StoredCredentials.fromPassword("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theClientRejectsABadServerSignature() {
        SaslClient client = SaslClient.create(SaslMechanism.SCRAM_SHA_256, "user", "pencil");
        SaslServer server = SaslServer.create(SaslMechanism.SCRAM_SHA_256);
        server.respond(client.initialResponse());
        client.evaluateChallenge(((SaslStep.Challenge) server.credentials(StoredCredentials.fromPassword("pencil"))).data());
        assertThatThrownBy(() -> client.verifySuccess(b("v=AAAA"))).isInstanceOf(SaslClient.SaslClientException.class);
        assertThatThrownBy(() -> client.verifySuccess(b("e=invalid-proof"))).isInstanceOf(SaslClient.SaslClientException.class);
    }

    @Test
    void aSavedClientCacheLoadsWithTheSameKeys(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        ScramCache cache = new ScramCache();
        byte[] salt = "some salt".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] a = cache.saltedPassword(ScramAlgorithm.SHA_256, "pencil é", salt, 4096);
        byte[] b = cache.saltedPassword(ScramAlgorithm.SHA_1, "tab\tin password", salt, 4096);
        java.nio.file.Path file = dir.resolve("scram.tsv");
        cache.save(file);
        ScramCache loaded = new ScramCache();
        assertThat(loaded.load(file)).isEqualTo(2);
        assertThat(loaded.load(dir.resolve("missing"))).isZero();
        assertThat(loaded.saltedPassword(ScramAlgorithm.SHA_256, "pencil é", salt, 4096)).isEqualTo(a);
        assertThat(loaded.saltedPassword(ScramAlgorithm.SHA_1, "tab\tin password", salt, 4096)).isEqualTo(b);
        assertThat(loaded.size()).isEqualTo(2);
        assertThat(a).isEqualTo(ScramAlgorithm.SHA_256.hi("pencil é".getBytes(java.nio.charset.StandardCharsets.UTF_8), salt, 4096));
    }
}
