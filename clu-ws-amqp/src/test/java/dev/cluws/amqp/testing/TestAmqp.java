package dev.cluws.amqp.testing;

import dev.cluws.amqp.AmqpSettings;
import dev.cluws.testkit.TestBroker;

/**
 * {@link AmqpSettings} for the test broker ({@link TestBroker}) with a fresh exchange, for this
 * module's tests and clu-ws-jetty's (which cannot use clu-ws-testkit-e2e's gateway fixture: it is
 * built after them). A replies queue left behind expires after {@link
 * TestBroker#REPLIES_QUEUE_EXPIRY}.
 */
public final class TestAmqp {
  private TestAmqp() {}

  /** Settings for the test broker with a fresh exchange. */
  public static AmqpSettings settings() {
    return AmqpSettings.defaults()
        .withHost(TestBroker.HOST)
        .withPort(TestBroker.PORT)
        .withExchange(TestBroker.uniqueName("test-ex"))
        .withRepliesQueueExpiry(TestBroker.REPLIES_QUEUE_EXPIRY);
  }
}
