package io.parley.protocol.jid;

import io.parley.protocol.jid.JidFormatException.Part;
import io.parley.protocol.jid.JidFormatException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import rocks.xmpp.precis.InvalidDirectionalityException;
import rocks.xmpp.precis.PrecisProfiles;

/**
 * An XMPP address (RFC 7622): {@code [localpart@]domainpart[/resourcepart]}, held in its
 * normalised (enforced) form, so equality is equality of the normalised form.
 *
 * <p>Localparts are enforced with the PRECIS UsernameCaseMapped profile (RFC 8265) plus the
 * eight characters RFC 7622 forbids, resourceparts with OpaqueString, domainparts as IDNA
 * names or IP literals. Pure-ASCII parts take a fast path whose result equals the PRECIS
 * library's for every ASCII input (a property test checks it).
 */
public final class Jid implements Comparable<Jid> {

    /** The maximum length of each part in octets of UTF-8 (RFC 7622 section 3.1). */
    public static final int MAX_PART_OCTETS = 1023;

    private static final String LOCALPART_FORBIDDEN = "\"&'/:<>@";

    private final String local;
    private final String domain;
    private final String resource;
    private final int hash;
    private String string;

    private Jid(String local, String domain, String resource) {
        this.local = local;
        this.domain = domain;
        this.resource = resource;
        this.hash = Objects.hash(local, domain, resource);
    }

    /**
     * Parses and normalises a JID string.
     *
     * @throws JidFormatException if any part is invalid
     */
    public static Jid of(String jid) {
        Objects.requireNonNull(jid, "jid");
        int slash = jid.indexOf('/');
        String head = slash < 0 ? jid : jid.substring(0, slash);
        String res = slash < 0 ? null : jid.substring(slash + 1);
        int at = head.indexOf('@');
        String loc = at < 0 ? null : head.substring(0, at);
        String dom = at < 0 ? head : head.substring(at + 1);
        return new Jid(
                loc == null ? null : enforceLocal(loc, jid),
                enforceDomain(dom, jid),
                res == null ? null : enforceResource(res, jid));
    }

    /** Parses a JID, returning {@code null} instead of throwing for an absent or invalid one. */
    public static Jid ofOrNull(String jid) {
        if (jid == null) {
            return null;
        }
        try {
            return of(jid);
        } catch (JidFormatException e) {
            return null;
        }
    }

    /**
     * Builds a JID from its parts, enforcing each.
     *
     * @param local the localpart, or {@code null}
     * @param domain the domainpart
     * @param resource the resourcepart, or {@code null}
     */
    public static Jid of(String local, String domain, String resource) {
        String whole = (local == null ? "" : local + "@") + domain + (resource == null ? "" : "/" + resource);
        return new Jid(
                local == null ? null : enforceLocal(local, whole),
                enforceDomain(Objects.requireNonNull(domain, "domain"), whole),
                resource == null ? null : enforceResource(resource, whole));
    }

    /** A domain JID such as {@code example.com}. */
    public static Jid domain(String domain) {
        return of(null, domain, null);
    }

    /**
     * Enforces a localpart on its own (UsernameCaseMapped plus RFC 7622's forbidden characters),
     * as SASL needs for the simple user name.
     *
     * @throws JidFormatException if it cannot be a localpart
     */
    public static String enforceLocalpart(String raw) {
        return enforceLocal(raw, raw);
    }

    /** The localpart, or {@code null}. */
    public String local() {
        return local;
    }

    public String domain() {
        return domain;
    }

    /** The resourcepart, or {@code null}. */
    public String resource() {
        return resource;
    }

    public boolean hasLocal() {
        return local != null;
    }

    public boolean hasResource() {
        return resource != null;
    }

    /** True when there is no resourcepart. */
    public boolean isBare() {
        return resource == null;
    }

    /** True for {@code local@domain/resource}. */
    public boolean isFull() {
        return local != null && resource != null;
    }

    /** True for a JID that is only a domainpart. */
    public boolean isDomain() {
        return local == null && resource == null;
    }

    /** This JID without its resourcepart (itself when it is already bare). */
    public Jid bare() {
        return resource == null ? this : new Jid(local, domain, null);
    }

    /** The domain JID of this address. */
    public Jid domainJid() {
        return isDomain() ? this : new Jid(null, domain, null);
    }

    /** This JID's bare address with the given resourcepart, enforced. */
    public Jid withResource(String newResource) {
        String whole = toString();
        return new Jid(local, domain, newResource == null ? null : enforceResource(newResource, whole));
    }

    /** True when both JIDs share localpart and domainpart. */
    public boolean sameBare(Jid other) {
        return other != null && Objects.equals(local, other.local) && domain.equals(other.domain);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Jid other)) {
            return false;
        }
        return hash == other.hash && domain.equals(other.domain) && Objects.equals(local, other.local)
                && Objects.equals(resource, other.resource);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(Jid o) {
        return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
        String s = string;
        if (s == null) {
            StringBuilder b = new StringBuilder(
                    domain.length() + (local == null ? 0 : local.length() + 1) + (resource == null ? 0 : resource.length() + 1));
            if (local != null) {
                b.append(local).append('@');
            }
            b.append(domain);
            if (resource != null) {
                b.append('/').append(resource);
            }
            s = b.toString();
            string = s;
        }
        return s;
    }

    // ---- enforcement -------------------------------------------------------------------------

    static String enforceLocal(String raw, String whole) {
        if (raw.isEmpty()) {
            throw new JidFormatException(Part.LOCALPART, Reason.EMPTY, whole, null);
        }
        checkRawLength(raw, Part.LOCALPART, whole);
        String out = asciiLocal(raw, whole);
        if (out == null) {
            out = precis(raw, Part.LOCALPART, whole, true);
            for (int i = 0; i < out.length(); i++) {
                if (LOCALPART_FORBIDDEN.indexOf(out.charAt(i)) >= 0) {
                    throw new JidFormatException(Part.LOCALPART, Reason.FORBIDDEN_CHARACTER, whole,
                            "'" + out.charAt(i) + "' is not allowed");
                }
            }
        }
        return checkLength(out, Part.LOCALPART, whole);
    }

    static String enforceResource(String raw, String whole) {
        if (raw.isEmpty()) {
            throw new JidFormatException(Part.RESOURCEPART, Reason.EMPTY, whole, null);
        }
        checkRawLength(raw, Part.RESOURCEPART, whole);
        String out = isAsciiPrintable(raw, true) ? raw : precis(raw, Part.RESOURCEPART, whole, false);
        return checkLength(out, Part.RESOURCEPART, whole);
    }

    static String enforceDomain(String raw, String whole) {
        String d = raw.endsWith(".") ? raw.substring(0, raw.length() - 1) : raw;
        if (d.isEmpty()) {
            throw new JidFormatException(Part.DOMAINPART, Reason.EMPTY, whole, null);
        }
        checkRawLength(d, Part.DOMAINPART, whole);
        if (d.charAt(0) == '[') {
            if (d.charAt(d.length() - 1) != ']' || !Ipv6.isLiteral(d.substring(1, d.length() - 1))) {
                throw new JidFormatException(Part.DOMAINPART, Reason.INVALID_DOMAIN, whole, "not an IPv6 literal");
            }
            return d.toLowerCase(java.util.Locale.ROOT);
        }
        String out = asciiDomain(d);
        if (out == null) {
            try {
                out = PrecisProfiles.IDN.enforce(d);
            } catch (IllegalArgumentException e) {
                throw new JidFormatException(Part.DOMAINPART, Reason.INVALID_DOMAIN, whole, e.getMessage());
            }
            if (out.isEmpty() || out.endsWith(".")) {
                throw new JidFormatException(Part.DOMAINPART, Reason.INVALID_DOMAIN, whole, "empty label");
            }
        }
        return checkLength(out, Part.DOMAINPART, whole);
    }

    private static String precis(String raw, Part part, String whole, boolean username) {
        try {
            return username ? PrecisProfiles.USERNAME_CASE_MAPPED.enforce(raw) : PrecisProfiles.OPAQUE_STRING.enforce(raw);
        } catch (InvalidDirectionalityException e) {
            throw new JidFormatException(part, Reason.BIDI_RULE, whole, e.getMessage());
        } catch (IllegalArgumentException e) {
            // the library reports empty results and disallowed code points alike as IllegalArgumentException
            throw new JidFormatException(part, Reason.FORBIDDEN_CHARACTER, whole, e.getMessage());
        }
    }

    /** Lower-cased ASCII localpart, or {@code null} when the input needs the full PRECIS path. */
    static String asciiLocal(String raw, String whole) {
        boolean upper = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= 0x80) {
                return null;
            }
            if (c <= 0x20 || c == 0x7f || LOCALPART_FORBIDDEN.indexOf(c) >= 0) {
                throw forbidden(Part.LOCALPART, whole, c);
            }
            upper |= c >= 'A' && c <= 'Z';
        }
        return upper ? raw.toLowerCase(java.util.Locale.ROOT) : raw;
    }

    /** True for strings of printable ASCII (and space when allowed), the OpaqueString fast path. */
    private static boolean isAsciiPrintable(String raw, boolean spaceAllowed) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= 0x7f || c < 0x20 || (c == 0x20 && !spaceAllowed)) {
                return false;
            }
        }
        return true;
    }

    /**
     * An LDH ASCII domain name lower-cased, or {@code null} when it needs the IDNA path (non-ASCII,
     * A-labels, or anything the STD3 rules might refuse, which the library then reports).
     */
    static String asciiDomain(String d) {
        int labelStart = 0;
        boolean upper = false;
        for (int i = 0; i <= d.length(); i++) {
            char c = i < d.length() ? d.charAt(i) : '.';
            if (c == '.') {
                int len = i - labelStart;
                if (len == 0 || len > 63 || d.charAt(labelStart) == '-' || d.charAt(i - 1) == '-') {
                    return null;
                }
                if (len >= 4 && d.charAt(labelStart + 2) == '-' && d.charAt(labelStart + 3) == '-') {
                    return null; // A-labels and other reserved "??--" labels go through IDNA
                }
                labelStart = i + 1;
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
                // fine
            } else if (c >= 'A' && c <= 'Z') {
                upper = true;
            } else {
                return null;
            }
        }
        return upper ? d.toLowerCase(java.util.Locale.ROOT) : d;
    }

    private static JidFormatException forbidden(Part part, String whole, char c) {
        return new JidFormatException(part, Reason.FORBIDDEN_CHARACTER, whole,
                String.format("U+%04X is not allowed", (int) c));
    }

    private static void checkRawLength(String raw, Part part, String whole) {
        // Enforcement can only shrink a string by composition; four times the limit bounds the work.
        if (raw.length() > 4 * MAX_PART_OCTETS) {
            throw new JidFormatException(part, Reason.TOO_LONG, whole, raw.length() + " characters");
        }
    }

    private static String checkLength(String enforced, Part part, String whole) {
        int octets = enforced.length();
        if (octets > MAX_PART_OCTETS / 3) {
            octets = enforced.getBytes(StandardCharsets.UTF_8).length;
        }
        if (octets > MAX_PART_OCTETS) {
            throw new JidFormatException(part, Reason.TOO_LONG, whole, octets + " octets");
        }
        if (octets == 0) {
            throw new JidFormatException(part, Reason.EMPTY, whole, "empty after enforcement");
        }
        return enforced;
    }
}
