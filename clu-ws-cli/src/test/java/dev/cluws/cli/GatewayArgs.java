package dev.cluws.cli;

import dev.cluws.testkit.TestBroker;
import java.util.ArrayList;
import java.util.List;

/** The options of a gateway under test: loopback, the test broker, its own exchange and name. */
final class GatewayArgs {
  private GatewayArgs() {}

  /**
   * {@code --host 127.0.0.1 --port <port> -H <test broker> -P <its port> --exchange <exchange>
   * --name <name>}, then {@code more}; a list the caller may add to.
   */
  static List<String> onTestBroker(int port, String exchange, String name, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--host",
                "127.0.0.1",
                "--port",
                String.valueOf(port),
                "-H",
                TestBroker.HOST,
                "-P",
                String.valueOf(TestBroker.PORT),
                "--exchange",
                exchange,
                "--name",
                name));
    args.addAll(List.of(more));
    return args;
  }
}
