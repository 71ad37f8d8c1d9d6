package io.parley.engine;

import com.typesafe.config.ConfigFactory;
import io.parley.engine.config.ConfigLoader;
import io.parley.engine.config.ParleySettings;
import java.util.ArrayList;
import java.util.List;

/**
 * What Parley implements, generated from the extension registry (like the DOAP files ejabberd
 * and Prosody publish): {@code docs/SUPPORT.md}. A test keeps the file equal to this output.
 */
public final class SupportTable {

    /** Standards the core implements outside the extension registry. */
    static final List<String> CORE = List.of(
            "RFC 6120: XMPP Core (TCP streams, STARTTLS, SASL, resource binding, stream and stanza errors)",
            "RFC 6121: XMPP IM (roster, subscriptions with pre-approval, presence, message routing rules)",
            "RFC 7622: XMPP Address Format (PRECIS)",
            "RFC 5802 / RFC 7677: SCRAM-SHA-1, SCRAM-SHA-256 (and SCRAM-SHA-512); RFC 4616: PLAIN over TLS",
            "XEP-0368: SRV records for XMPP over TLS (Direct TLS port)",
            "XEP-0004: Data Forms",
            "XEP-0203: Delayed Delivery (offline messages)",
            "XEP-0237: Roster Versioning (as RFC 6121 2.6)",
            "XEP-0059: Result Set Management (pages of the Multi-User Chat room list and of a room's operation log)",
            "XEP-0249: Direct MUC Invitations (passed through; mediated invitations carry its element)",
            "XEP-0410: MUC Self-Ping 1.1",
            "XEP-0421: Anonymous unique occupant identifiers for MUCs 0.2");

    private SupportTable() {
    }

    public static String markdown() {
        ParleySettings settings = ParleySettings.from(ConfigLoader.load(ConfigFactory.empty()));
        List<String> lines = new ArrayList<>();
        lines.add("# What Parley supports");
        lines.add("");
        lines.add("Generated from the extension registry by `io.parley.engine.SupportTable` (a test keeps this file current).");
        lines.add("");
        lines.add("## Core");
        lines.add("");
        CORE.forEach(c -> lines.add("- " + c));
        lines.add("");
        lines.add("## Extensions");
        lines.add("");
        Extensions.registry(settings).specs().forEach(s -> lines.add("- " + s));
        return String.join("\n", lines) + "\n";
    }

    public static void main(String[] args) {
        System.out.print(markdown());
    }
}
