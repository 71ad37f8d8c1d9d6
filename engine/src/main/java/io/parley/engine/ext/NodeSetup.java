package io.parley.engine.ext;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.parley.engine.config.ParleySettings;
import io.parley.engine.routing.StanzaRouter;
import java.time.Clock;

/**
 * What an extension gets when its node starts ({@link Extension#start}): the actor system to
 * start its node-level actors on, sharding to initialise its entity types, and the router to add
 * the route of a service domain of its own.
 */
public record NodeSetup(ActorSystem<?> system, ParleySettings settings, ClusterSharding sharding, StanzaRouter router, Clock clock) {
}
