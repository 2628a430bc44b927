package dev.cluws.bench.load;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeoutException;

/** The RabbitMQ the load tool publishes to and consumes from (virtual host {@code /}). */
record BrokerSettings(String host, int port, String user, String password) {

  /** Opens a named connection without automatic recovery: a broken run should fail, not wait. */
  Connection connect(String connectionName) {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(host);
    factory.setPort(port);
    factory.setUsername(user);
    factory.setPassword(password);
    factory.setAutomaticRecoveryEnabled(false);
    factory.setConnectionTimeout(5_000);
    try {
      return factory.newConnection(connectionName);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to RabbitMQ at " + host + ":" + port, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "timed out connecting to RabbitMQ at " + host + ":" + port, e);
    }
  }
}
