package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cluws.core.command.CommandGate;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.net.http.HttpClient;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --forwarded}: behind a reverse proxy, the client's address in the audit log comes from the
 * proxy's {@code X-Forwarded-For} or {@code Forwarded} header; without the option those headers are
 * ignored (a client could send them itself).
 */
class ForwardedIT {
  private static final ServerSettings LOOPBACK =
      ServerSettings.defaults().withHost("127.0.0.1").withPort(0);

  private static String command(String actor, String id) {
    return "{\"consumer\": \""
        + actor
        + "\", \"command_string\": \"ping\", \"command_id\": \""
        + id
        + "\"}";
  }

  /**
   * Connects with one extra request header, sends {@code ping}, returns the command's audit line.
   */
  private static String auditLineOfAPing(GatewayFixture fixture, String header, String value) {
    CluTestActor actor = fixture.actor();
    try (LogCapture audit = LogCapture.of(CommandGate.AUDIT_LOGGER);
        WsClient client =
            WsClient.connect(
                fixture.uri(), HttpClient.newHttpClient(), b -> b.header(header, value))) {
      client.send(command(actor.name(), "fwd-1"));
      client.awaitFinished("fwd-1");
      await()
          .atMost(WsClient.WAIT)
          .until(() -> audit.messages().stream().anyMatch(m -> m.contains("command_id=fwd-1")));
      List<String> lines =
          audit.messages().stream().filter(m -> m.contains("command_id=fwd-1")).toList();
      assertThat(lines).hasSize(1);
      return lines.get(0);
    }
  }

  @Test
  void withForwardedTheAuditLogNamesTheClientAddressFromXForwardedFor() {
    try (GatewayFixture fixture =
        GatewayFixture.builder().server(LOOPBACK.withForwarded(true)).start()) {
      String line = auditLineOfAPing(fixture, "X-Forwarded-For", "203.0.113.7");

      assertThat(line).startsWith("203.0.113.7 client=").contains("outcome=forwarded");
    }
  }

  @Test
  void withForwardedTheStandardForwardedHeaderWorksTooWithAnIpv6AddressAndPort() {
    try (GatewayFixture fixture =
        GatewayFixture.builder().server(LOOPBACK.withForwarded(true)).start()) {
      String line =
          auditLineOfAPing(fixture, "Forwarded", "for=\"[2001:db8::17]:4711\";proto=https");

      assertThat(line).startsWith("[2001:db8::17]:4711 client=");
    }
  }

  @Test
  void withoutForwardedTheProxyHeadersAreIgnoredAndTheTcpPeerIsLogged() {
    try (GatewayFixture fixture = GatewayFixture.builder().server(LOOPBACK).start()) {
      String line = auditLineOfAPing(fixture, "X-Forwarded-For", "203.0.113.7");

      assertThat(line).startsWith("127.0.0.1:").doesNotContain("203.0.113.7");
    }
  }
}
