package io.parley.engine.session;

/**
 * What one feature adds to every user entity, declared the way an extension declares its IQ
 * handlers: its slice of the durable state, the events it stores and how they change the slice,
 * the commands it answers, and the hooks it takes part in (a stanza arriving for the user, a
 * message nobody is online for, a session becoming available, a session binding, who may not see
 * the user's presence). The entity only dispatches and persists; the feature's code stays in the
 * feature's package. See {@link UserFeatures.Builder}.
 */
@FunctionalInterface
public interface UserFeature {

    void register(UserFeatures.Builder r);
}
