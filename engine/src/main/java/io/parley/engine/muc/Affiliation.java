package io.parley.engine.muc;

/** XEP-0045 section 5.2: a long-lived association between a bare JID and a room, strongest first. */
public enum Affiliation {
    OWNER, ADMIN, MEMBER, NONE, OUTCAST;

    public String value() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The affiliation an attribute names, or null. */
    public static Affiliation fromValue(String v) {
        if (v == null) {
            return null;
        }
        for (Affiliation a : values()) {
            if (a.value().equals(v)) {
                return a;
            }
        }
        return null;
    }

    /** Owner and admin: they run the room. */
    public boolean isAdminOrOwner() {
        return this == OWNER || this == ADMIN;
    }

    /** True when this affiliation ranks above {@code other} (owner > admin > member > none > outcast). */
    public boolean outranks(Affiliation other) {
        return ordinal() < other.ordinal();
    }
}
