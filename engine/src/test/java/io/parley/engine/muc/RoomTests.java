package io.parley.engine.muc;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.parley.engine.testkit.EntityTestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** What the room part tests share: one actor test kit (a one-node cluster, the node's serialization). */
abstract class RoomTests {

    static ActorTestKit kit;
    private static int rooms;

    @BeforeAll
    static void startKit() {
        kit = EntityTestKits.create();
    }

    @AfterAll
    static void stopKit() {
        kit.shutdownTestKit();
    }

    /** A room of its own for each test. */
    static RoomKit room() {
        return new RoomKit(kit, "room" + (++rooms));
    }
}
