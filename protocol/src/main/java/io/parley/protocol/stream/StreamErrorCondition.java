package io.parley.protocol.stream;

import java.util.HashMap;
import java.util.Map;

/** The stream error conditions of RFC 6120 section 4.9.3. */
public enum StreamErrorCondition {
    BAD_FORMAT("bad-format"),
    BAD_NAMESPACE_PREFIX("bad-namespace-prefix"),
    CONFLICT("conflict"),
    CONNECTION_TIMEOUT("connection-timeout"),
    HOST_GONE("host-gone"),
    HOST_UNKNOWN("host-unknown"),
    IMPROPER_ADDRESSING("improper-addressing"),
    INTERNAL_SERVER_ERROR("internal-server-error"),
    INVALID_FROM("invalid-from"),
    INVALID_NAMESPACE("invalid-namespace"),
    INVALID_XML("invalid-xml"),
    NOT_AUTHORIZED("not-authorized"),
    NOT_WELL_FORMED("not-well-formed"),
    POLICY_VIOLATION("policy-violation"),
    REMOTE_CONNECTION_FAILED("remote-connection-failed"),
    RESET("reset"),
    RESOURCE_CONSTRAINT("resource-constraint"),
    RESTRICTED_XML("restricted-xml"),
    SEE_OTHER_HOST("see-other-host"),
    SYSTEM_SHUTDOWN("system-shutdown"),
    UNDEFINED_CONDITION("undefined-condition"),
    UNSUPPORTED_ENCODING("unsupported-encoding"),
    UNSUPPORTED_FEATURE("unsupported-feature"),
    UNSUPPORTED_STANZA_TYPE("unsupported-stanza-type"),
    UNSUPPORTED_VERSION("unsupported-version");

    private static final Map<String, StreamErrorCondition> BY_NAME = new HashMap<>();

    static {
        for (StreamErrorCondition c : values()) {
            BY_NAME.put(c.elementName, c);
        }
    }

    private final String elementName;

    StreamErrorCondition(String elementName) {
        this.elementName = elementName;
    }

    /** The condition's element name, e.g. {@code not-well-formed}. */
    public String elementName() {
        return elementName;
    }

    /** The condition with this element name, or {@code null}. */
    public static StreamErrorCondition fromElementName(String name) {
        return BY_NAME.get(name);
    }
}
