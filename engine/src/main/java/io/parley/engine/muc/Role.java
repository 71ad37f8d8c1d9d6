package io.parley.engine.muc;

/** XEP-0045 section 5.1: a temporary position of an occupant in a room, strongest first. */
public enum Role {
    MODERATOR, PARTICIPANT, VISITOR, NONE;

    public String value() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The role an attribute names, or null. */
    public static Role fromValue(String v) {
        if (v == null) {
            return null;
        }
        for (Role r : values()) {
            if (r.value().equals(v)) {
                return r;
            }
        }
        return null;
    }

    /** Participants and moderators have voice: they may send messages to all occupants. */
    public boolean hasVoice() {
        return this == MODERATOR || this == PARTICIPANT;
    }

    /** The role an occupant gets on entering (section 5.1.2 table): owners and admins moderate. */
    public static Role defaultFor(Affiliation a, boolean moderated) {
        return switch (a) {
            case OWNER, ADMIN -> MODERATOR;
            case MEMBER -> PARTICIPANT;
            case NONE -> moderated ? VISITOR : PARTICIPANT;
            case OUTCAST -> NONE;
        };
    }
}
