/**
 * The embedded AMQP broker of {@code clu-ws --demo} and {@code clu-ws --embedded-broker}: Apache
 * Qpid Broker-J in this process, on loopback, for trying clu-ws and developing CLU actors without
 * RabbitMQ. Only the {@code clu-ws} command depends on this module; the library modules never do.
 */
package dev.cluws.broker;
