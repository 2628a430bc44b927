package dev.cluws.testkit.e2e;

import dev.cluws.broker.EmbeddedBroker;
import dev.cluws.testkit.LoopbackPorts;
import dev.cluws.testkit.TestBroker;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a broker listens at {@link TestBroker#HOST}:{@link TestBroker#PORT}: the RabbitMQ
 * running there, or, where nothing listens, clu-ws's embedded broker (Apache Qpid Broker-J, as
 * {@code clu-ws --embedded-broker} starts it), started once for the test JVM on that address and
 * stopped when the JVM exits. So an end-to-end test runs the same on a machine with RabbitMQ and on
 * one without; {@link #embedded()} tells which (the embedded broker ignores {@code x-expires}, see
 * {@link EmbeddedBroker#DIFFERENCES}).
 */
public final class TestBrokers {
  private static final Logger log = LoggerFactory.getLogger(TestBrokers.class);

  /** The embedded brokers this class started, by port. */
  private static final Map<Integer, EmbeddedBroker> STARTED = new HashMap<>();

  private TestBrokers() {}

  /**
   * Returns once a broker listens at the test broker's address, starting the embedded one if
   * nothing does.
   *
   * @throws RuntimeException when neither is possible (the port is taken by something else)
   */
  public static void ensureAvailable() {
    ensureAvailable(TestBroker.PORT);
  }

  /** Whether the tests run against the embedded broker this class started. */
  public static synchronized boolean embedded() {
    return STARTED.containsKey(TestBroker.PORT);
  }

  /**
   * {@link #ensureAvailable()} for a broker on {@code port} of {@link TestBroker#HOST}.
   *
   * @return whether this call started the embedded broker
   */
  static synchronized boolean ensureAvailable(int port) {
    if (STARTED.containsKey(port) || LoopbackPorts.listening(port)) {
      return false;
    }
    EmbeddedBroker broker = EmbeddedBroker.start(TestBroker.HOST, port);
    log.info(
        "nothing listens at {}:{}; started the embedded broker there ({})",
        TestBroker.HOST,
        port,
        EmbeddedBroker.DIFFERENCES);
    Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "clu-ws-test-broker-stop"));
    STARTED.put(port, broker);
    return true;
  }
}
