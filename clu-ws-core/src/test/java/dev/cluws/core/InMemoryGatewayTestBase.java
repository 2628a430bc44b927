package dev.cluws.core;

import static dev.cluws.core.TestFilters.query;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.access.AccessPolicy;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.client.Outbox;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.Command;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/**
 * The set-up of the tests that drive clients through a real, started {@link Gateway} named {@link
 * #NAME}: an {@link InMemorySource} the test pushes replies into, a {@link ControllableSink} whose
 * outcomes the test completes, the {@link TestFilters}, and sends completed on the calling thread
 * ({@link Outbox#DIRECT}). The gateway is closed after each test; a test that wants other settings
 * or another access policy closes {@link #gateway} and assigns one made by {@code gateway(adjust,
 * policy)}.
 */
abstract class InMemoryGatewayTestBase {
  static final String NAME = "clu-ws-0123456789ab";

  final List<String> events = new CopyOnWriteArrayList<>();
  final InMemorySource source = new InMemorySource(events);
  final ControllableSink sink = new ControllableSink(events);
  final TestFilters filters = new TestFilters();
  Gateway gateway = gateway(b -> b);

  /** A started gateway with the default settings adjusted by {@code adjust}, allowing all. */
  Gateway gateway(UnaryOperator<GatewaySettings.Builder> adjust) {
    return gateway(adjust, AccessPolicy.ALLOW_ALL);
  }

  /** A started gateway with the default settings adjusted by {@code adjust}, and {@code policy}. */
  Gateway gateway(UnaryOperator<GatewaySettings.Builder> adjust, AccessPolicy policy) {
    Gateway built =
        Gateway.builder()
            .sendExecutor(Outbox.DIRECT)
            .gatewaySettings(adjust.apply(GatewaySettings.named(NAME).toBuilder()).build())
            .source(source)
            .sink(sink)
            .accessPolicy(policy)
            .filterProviders(filters.catalog())
            .build();
    built.start();
    return built;
  }

  @AfterEach
  void closeGateway() {
    gateway.close();
  }

  /** Connects a client with a query string such as {@code "actors=lvm*&acks=true"}. */
  ClientConnection connect(String query, RecordingTransport transport) {
    return gateway.connect(gateway.subscribe(query(query)), transport);
  }

  /** A policy that allows every command and hides every reply from {@code sender}. */
  static AccessPolicy hidingRepliesFrom(String sender) {
    return new AccessPolicy() {
      @Override
      public Decision decide(ClientIdentity identity, Command command) {
        return Decision.allow();
      }

      @Override
      public Predicate<String> visibleActors(ClientIdentity identity) {
        return actor -> !sender.equals(actor);
      }
    };
  }

  /** A policy that denies every command, for {@code reason}. */
  static AccessPolicy denyingCommands(String reason) {
    return new AccessPolicy() {
      @Override
      public Decision decide(ClientIdentity identity, Command command) {
        return Decision.deny(reason);
      }
    };
  }

  /** A frame's {@code message_code}. */
  static String code(JsonNode frame) {
    return frame.path("headers").path("message_code").asText();
  }
}
