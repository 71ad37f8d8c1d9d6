package io.parley.protocol.jid;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import rocks.xmpp.precis.PrecisProfiles;

/** The ASCII fast paths must agree with the PRECIS library on every ASCII input. */
class JidFastPathProperties {

    @Provide
    Arbitrary<String> ascii() {
        return Arbitraries.strings().withCharRange((char) 0, (char) 0x7f).ofMinLength(1).ofMaxLength(20);
    }

    @Provide
    Arbitrary<String> domainish() {
        return Arbitraries.strings().withChars("abcXYZ019-._").ofMinLength(1).ofMaxLength(30);
    }

    @Property(tries = 3000)
    void localpartMatchesLibrary(@ForAll("ascii") String raw) {
        String viaLibrary;
        try {
            viaLibrary = PrecisProfiles.USERNAME_CASE_MAPPED.enforce(raw);
            for (char c : "\"&'/:<>@".toCharArray()) {
                if (viaLibrary.indexOf(c) >= 0) {
                    viaLibrary = null;
                    break;
                }
            }
        } catch (IllegalArgumentException e) {
            viaLibrary = null;
        }
        String ours;
        try {
            ours = Jid.enforceLocal(raw, raw);
        } catch (JidFormatException e) {
            ours = null;
        }
        assertThat(ours).isEqualTo(viaLibrary);
    }

    @Property(tries = 3000)
    void resourcepartMatchesLibrary(@ForAll("ascii") String raw) {
        String viaLibrary;
        try {
            viaLibrary = PrecisProfiles.OPAQUE_STRING.enforce(raw);
        } catch (IllegalArgumentException e) {
            viaLibrary = null;
        }
        String ours;
        try {
            ours = Jid.enforceResource(raw, raw);
        } catch (JidFormatException e) {
            ours = null;
        }
        assertThat(ours).isEqualTo(viaLibrary);
    }

    @Property(tries = 3000)
    void asciiDomainMatchesLibrary(@ForAll("domainish") String raw) {
        String fast = Jid.asciiDomain(raw);
        if (fast == null) {
            return; // not on the fast path: the library decides
        }
        assertThat(fast).isEqualTo(PrecisProfiles.IDN.enforce(raw));
    }
}
