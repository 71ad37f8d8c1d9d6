package io.parley.engine;

import com.fasterxml.jackson.databind.module.SimpleModule;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.roster.RosterState;
import io.parley.engine.session.UserEntity;
import io.parley.engine.session.UserState;
import io.parley.engine.storage.UserDataEntity;

/**
 * Every type the store holds, by its {@code @JsonTypeName}, so that a stored value read as a
 * {@code JournalSerializable} finds its class. Registered through
 * {@code akka.serialization.jackson.jackson-modules}; a new event or state class must be added
 * here (JournalTypesTest checks that every one is).
 */
public final class JournalTypes extends SimpleModule {

    static final Class<?>[] TYPES = {
            UserEntity.AccountCreated.class, UserEntity.PasswordChanged.class, UserEntity.AccountDeleted.class,
            UserEntity.OfflineStored.class, UserEntity.OfflineRemoved.class, UserEntity.LastSeen.class,
            UserEntity.JidsBlocked.class, UserEntity.JidsUnblocked.class, UserEntity.AvatarHashChanged.class,
            UserEntity.ResourceOnline.class, UserEntity.ResourcesGone.class,
            UserState.class,
            RosterEntity.ItemChanged.class, RosterEntity.ItemRemoved.class, RosterEntity.RosterCleared.class,
            RosterState.class,
            UserDataEntity.DocumentStored.class, UserDataEntity.DocumentRemoved.class, UserDataEntity.Cleared.class,
            UserDataEntity.State.class,
            io.parley.engine.muc.RoomEntity.RoomCreated.class, io.parley.engine.muc.RoomEntity.RoomConfigured.class,
            io.parley.engine.muc.RoomEntity.RoomUnlocked.class, io.parley.engine.muc.RoomEntity.AffiliationChanged.class,
            io.parley.engine.muc.RoomEntity.SubjectChanged.class, io.parley.engine.muc.RoomEntity.HistoryAdded.class,
            io.parley.engine.muc.RoomEntity.OperationLogged.class, io.parley.engine.muc.RoomEntity.RoomDestroyed.class,
            io.parley.engine.muc.RoomEntity.NickRegistered.class,
            io.parley.engine.muc.RoomState.class,
            io.parley.engine.muc.MucDirectory.RoomListed.class, io.parley.engine.muc.MucDirectory.RoomUnlisted.class,
            io.parley.engine.muc.MucDirectory.State.class,
    };

    public JournalTypes() {
        super("parley-journal-types");
        registerSubtypes(TYPES);
    }
}
