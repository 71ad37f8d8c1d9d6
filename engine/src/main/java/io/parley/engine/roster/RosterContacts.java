package io.parley.engine.roster;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import io.parley.engine.session.Contacts;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import java.util.List;
import java.util.Set;

/** The user entity's {@link Contacts}, answered by each user's {@link RosterEntity} through sharding. */
public final class RosterContacts implements Contacts {

    private final ClusterSharding sharding;

    public RosterContacts(ClusterSharding sharding) {
        this.sharding = sharding;
    }

    private EntityRef<RosterEntity.Command> roster(Jid user) {
        return sharding.entityRefFor(RosterEntity.TYPE_KEY, user.toString());
    }

    @Override
    public void initialPresence(Jid user, Jid resource, XmlElement presence, Set<Jid> hiddenFrom) {
        roster(user).tell(new RosterEntity.InitialPresence(resource, presence, hiddenFrom));
    }

    @Override
    public void broadcast(Jid user, XmlElement presence, Set<Jid> hiddenFrom) {
        roster(user).tell(new RosterEntity.Broadcast(presence, hiddenFrom));
    }

    @Override
    public void inbound(Jid user, XmlElement presence) {
        roster(user).tell(new RosterEntity.Inbound(presence));
    }

    @Override
    public void resendPresence(Jid user, List<Jid> contacts) {
        roster(user).tell(new RosterEntity.ResendPresence(contacts));
    }

    @Override
    public void accountDeleted(Jid user) {
        roster(user).tell(RosterEntity.Clear.INSTANCE);
    }
}
