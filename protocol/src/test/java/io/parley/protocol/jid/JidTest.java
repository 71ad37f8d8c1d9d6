package io.parley.protocol.jid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.protocol.jid.JidFormatException.Part;
import io.parley.protocol.jid.JidFormatException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JidTest {

    /** RFC 7622 section 3.5.1, examples 1-15, with the normalised form we expect. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "juliet@example.com|juliet@example.com",
        "juliet@example.com/foo|juliet@example.com/foo",
        "juliet@example.com/foo bar|juliet@example.com/foo bar",
        "juliet@example.com/foo@bar|juliet@example.com/foo@bar",
        "foo\\20bar@example.com|foo\\20bar@example.com",
        "fussball@example.com|fussball@example.com",
        "fußball@example.com|fußball@example.com",
        "π@example.com|π@example.com",
        "Σ@example.com/foo|σ@example.com/foo",
        "σ@example.com/foo|σ@example.com/foo",
        "ς@example.com/foo|ς@example.com/foo",
        "king@example.com/♚|king@example.com/♚",
        "example.com|example.com",
        "example.com/foobar|example.com/foobar",
        "a.example.com/b@example.net|a.example.com/b@example.net",
    })
    void rfc7622ValidExamples(String input, String normalised) {
        Jid jid = Jid.of(input);
        assertThat(jid.toString()).isEqualTo(normalised);
        assertThat(Jid.of(normalised)).isEqualTo(jid);
    }

    /** RFC 7622 section 3.5.2, examples 16, 17 and 19-23: which part fails and why. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\"juliet\"@example.com|LOCALPART|FORBIDDEN_CHARACTER",
        "foo bar@example.com|LOCALPART|FORBIDDEN_CHARACTER",
        "@example.com/|LOCALPART|EMPTY",
        "henryⅣ@example.com|LOCALPART|FORBIDDEN_CHARACTER",
        "♚@example.com|LOCALPART|FORBIDDEN_CHARACTER",
        "juliet@|DOMAINPART|EMPTY",
        "/foobar|DOMAINPART|EMPTY",
    })
    void rfc7622InvalidExamples(String input, Part part, Reason reason) {
        assertThatThrownBy(() -> Jid.of(input))
                .isInstanceOfSatisfying(JidFormatException.class, e -> {
                    assertThat(e.part()).isEqualTo(part);
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.input()).isEqualTo(input);
                });
    }

    /**
     * Example 18 ({@code juliet@example.com/ foo}) is listed as invalid in RFC 7622, but its
     * OpaqueString profile allows a leading space (the RFC's own errata discussion notes the
     * contradiction); we follow the profile, as the PRECIS library does.
     */
    @Test
    void leadingSpaceInResourceFollowsOpaqueString() {
        assertThat(Jid.of("juliet@example.com/ foo").resource()).isEqualTo(" foo");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "|DOMAINPART|EMPTY",
        "a@b@c|DOMAINPART|INVALID_DOMAIN",
        "user@example.com/|RESOURCEPART|EMPTY",
        "us<er@example.com|LOCALPART|FORBIDDEN_CHARACTER",
        "us:er@example.com|LOCALPART|FORBIDDEN_CHARACTER",
        "user@exa mple.com|DOMAINPART|INVALID_DOMAIN",
        "user@exa_mple.com|DOMAINPART|INVALID_DOMAIN",
        "user@-example.com|DOMAINPART|INVALID_DOMAIN",
        "user@example..com|DOMAINPART|INVALID_DOMAIN",
        "user@[::1|DOMAINPART|INVALID_DOMAIN",
        "user@[1:2:3]|DOMAINPART|INVALID_DOMAIN",
        "user@.|DOMAINPART|EMPTY",
    })
    void moreInvalidInputs(String input, Part part, Reason reason) {
        String in = input == null ? "" : input;
        assertThatThrownBy(() -> Jid.of(in))
                .isInstanceOfSatisfying(JidFormatException.class, e -> {
                    assertThat(e.part()).isEqualTo(part);
                    assertThat(e.reason()).isEqualTo(reason);
                });
    }

    @Test
    void controlCharactersAreRefusedInEveryPart() {
        assertThatThrownBy(() -> Jid.of("a\u0007b@example.com"))
                .isInstanceOfSatisfying(JidFormatException.class, e -> assertThat(e.part()).isEqualTo(Part.LOCALPART));
        assertThatThrownBy(() -> Jid.of("ab@example.com/x\u0000y"))
                .isInstanceOfSatisfying(JidFormatException.class, e -> assertThat(e.part()).isEqualTo(Part.RESOURCEPART));
        assertThatThrownBy(() -> Jid.of("ab@exam\u0001ple.com"))
                .isInstanceOfSatisfying(JidFormatException.class, e -> assertThat(e.part()).isEqualTo(Part.DOMAINPART));
    }

    @Test
    void partsAreLimitedTo1023Octets() {
        String ok = "a".repeat(1023);
        assertThat(Jid.of(ok + "@example.com").local()).hasSize(1023);
        assertThat(Jid.of("u@example.com/" + ok).resource()).hasSize(1023);
        assertThatThrownBy(() -> Jid.of("a".repeat(1024) + "@example.com"))
                .isInstanceOfSatisfying(JidFormatException.class, e -> {
                    assertThat(e.part()).isEqualTo(Part.LOCALPART);
                    assertThat(e.reason()).isEqualTo(Reason.TOO_LONG);
                });
        // 512 two-octet characters are 1024 octets although only 512 chars
        assertThatThrownBy(() -> Jid.of("u@example.com/" + "é".repeat(512)))
                .isInstanceOfSatisfying(JidFormatException.class, e -> {
                    assertThat(e.part()).isEqualTo(Part.RESOURCEPART);
                    assertThat(e.reason()).isEqualTo(Reason.TOO_LONG);
                });
        assertThat(Jid.of("u@example.com/" + "é".repeat(511)).resource()).hasSize(511);
        assertThatThrownBy(() -> Jid.of("u@example.com/" + "x".repeat(100_000)))
                .isInstanceOfSatisfying(JidFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LONG));
    }

    @Test
    void normalisationMakesEqualJids() {
        assertThat(Jid.of("Juliet@Example.COM/Balcony")).isEqualTo(Jid.of("juliet@example.com/Balcony"));
        assertThat(Jid.of("juliet@example.com/Balcony")).isNotEqualTo(Jid.of("juliet@example.com/balcony"));
        assertThat(Jid.of("juliet@example.com.")).isEqualTo(Jid.of("juliet@example.com"));
        assertThat(Jid.of("ＪＵＬＩＥＴ@example.com").local()).isEqualTo("juliet");
        assertThat(Jid.of("juliet@example.com").hashCode()).isEqualTo(Jid.of("JULIET@EXAMPLE.COM").hashCode());
    }

    @Test
    void internationalisedDomainsAreHeldAsUnicode() {
        assertThat(Jid.of("user@XN--BCHER-KVA.example").domain()).isEqualTo("bücher.example");
        assertThat(Jid.of("user@Bücher.example").domain()).isEqualTo("bücher.example");
    }

    @Test
    void ipLiteralsAreDomains() {
        assertThat(Jid.of("user@127.0.0.1/r").domain()).isEqualTo("127.0.0.1");
        assertThat(Jid.of("user@[::1]").domain()).isEqualTo("[::1]");
        assertThat(Jid.of("[2001:DB8::1]").domain()).isEqualTo("[2001:db8::1]");
        assertThat(Jid.of("[::ffff:192.0.2.1]").domain()).isEqualTo("[::ffff:192.0.2.1]");
    }

    @Test
    void kinds() {
        Jid full = Jid.of("romeo@montague.lit/orchard");
        assertThat(full.isFull()).isTrue();
        assertThat(full.isBare()).isFalse();
        assertThat(full.bare()).isEqualTo(Jid.of("romeo@montague.lit"));
        assertThat(full.bare().isBare()).isTrue();
        assertThat(full.domainJid()).isEqualTo(Jid.domain("montague.lit"));
        assertThat(Jid.domain("montague.lit").isDomain()).isTrue();
        assertThat(full.bare().withResource("garden")).isEqualTo(Jid.of("romeo@montague.lit/garden"));
        assertThat(full.sameBare(Jid.of("Romeo@montague.lit/other"))).isTrue();
        assertThat(Jid.of("romeo", "Montague.lit", "orchard")).isEqualTo(full);
        assertThat(Jid.ofOrNull("bad@")).isNull();
        assertThat(Jid.ofOrNull(null)).isNull();
    }

    @Test
    void errorMessageNamesPartAndReason() {
        assertThatThrownBy(() -> Jid.of("foo bar@example.com"))
                .hasMessageContaining("localpart forbidden character");
    }
}
