/**
 * The actor side of CLU's protocol, for writing a CLU actor in Java: {@link
 * dev.cluws.amqp.actor.ActorChannel} declares an actor's commands queue, hands each command to a
 * handler as an {@link dev.cluws.amqp.actor.ActorCommand}, and publishes replies with the headers
 * and routing keys a CLU actor uses. The {@code clu-ws --demo} actor and the test actor are built
 * on it.
 */
package dev.cluws.amqp.actor;
