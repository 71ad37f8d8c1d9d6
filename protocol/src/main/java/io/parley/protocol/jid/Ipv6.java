package io.parley.protocol.jid;

/** Validates IPv6 address literals (RFC 4291 section 2.2) without any name lookup. */
final class Ipv6 {

    private Ipv6() {
    }

    static boolean isLiteral(String s) {
        if (s.isEmpty() || s.length() > 45) {
            return false;
        }
        int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
            return false;
        }
        String[] groups = s.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String g = groups[i];
            if (g.isEmpty()) {
                // empty groups only as part of a single "::" (which yields one or two empties at the edges)
                if (doubleColon < 0) {
                    return false;
                }
                continue;
            }
            if (i == groups.length - 1 && g.indexOf('.') >= 0) {
                if (!isIpv4(g)) {
                    return false;
                }
                count += 2;
                continue;
            }
            if (g.length() > 4) {
                return false;
            }
            for (int j = 0; j < g.length(); j++) {
                if (Character.digit(g.charAt(j), 16) < 0) {
                    return false;
                }
            }
            count++;
        }
        if (doubleColon < 0) {
            return count == 8 && !s.startsWith(":") && !s.endsWith(":");
        }
        if ((s.startsWith(":") && doubleColon != 0) || (s.endsWith(":") && doubleColon != s.length() - 2)) {
            return false;
        }
        return count <= 7;
    }

    private static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
