package dev.cluws.bench.load;

import java.net.URI;
import java.util.OptionalLong;

/**
 * The gateway a run drives: one the tool started ({@link GatewayProcess}) or one already running.
 */
interface GatewayTarget extends AutoCloseable {

  /** The websocket URI to connect clients to. */
  URI uri();

  /** The gateway's exchange. */
  String exchange();

  /** The gateway's process id, when known: CPU and memory are measured only then. */
  OptionalLong pid();

  /** Stops the gateway if the tool started it. Never throws. */
  @Override
  void close();

  /** A gateway the tool did not start: never stopped by it. */
  static GatewayTarget external(URI uri, String exchange, OptionalLong pid) {
    return new GatewayTarget() {
      @Override
      public URI uri() {
        return uri;
      }

      @Override
      public String exchange() {
        return exchange;
      }

      @Override
      public OptionalLong pid() {
        return pid;
      }

      @Override
      public void close() {}
    };
  }
}
