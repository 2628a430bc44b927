package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random and malformed frames: the server stays up, answers each one, and other
 * clients notice nothing.
 */
class FuzzIT {
  private static final long SEED = 20261124L;
  private static final int FRAMES = 3000;
  private final GatewayFixture fixture = GatewayFixture.start();

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  @Test
  void everyMalformedFrameIsAnsweredWithOneErrorFrameAndOtherClientsAreUnaffected() {
    CluTestActor actor = fixture.actor();
    WsClient bystander = fixture.client();
    WsClient fuzzer = fixture.client();
    Random random = new Random(SEED);

    for (int i = 0; i < FRAMES; i++) {
      fuzzer.send(malformed(random));
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> fuzzer.frames().size() == FRAMES);
    assertThat(fuzzer.frames())
        .allSatisfy(
            f -> {
              assertThat(f.path("headers").path("message_code").asText()).isEqualTo("e");
              assertThat(f.path("body").path("error").asText()).isNotBlank();
            });
    assertThat(fixture.gateway().stats().invalidFrames.sum()).isEqualTo(FRAMES);
    assertThat(actor.received()).isEmpty();

    actor.broadcast(Map.of("after", "fuzz"));
    bystander.awaitFrame(f -> f.path("body").has("after"));
    assertThat(bystander.frames()).hasSize(1);
    fuzzer.send(
        "{\"consumer\": \""
            + actor.name()
            + "\", \"command_string\": \"ping\","
            + " \"command_id\": \"still-here\"}");
    assertThat(fuzzer.awaitFinished("still-here")).hasSize(2);
  }

  @Test
  void aTextFrameThatIsNotUtf8IsClosedWith1007AndTheServerGoesOn() throws Exception {
    WsClient bystander = fixture.client();
    try (RawWebSocket raw = new RawWebSocket(fixture.server().port())) {
      raw.send(1, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
      assertThat(raw.awaitCloseCode()).isEqualTo(1007);
    }
    CluTestActor actor = fixture.actor();
    actor.broadcast(Map.of("ok", true));
    bystander.awaitFrame(f -> f.path("body").has("ok"));
    await().atMost(WsClient.WAIT).until(() -> fixture.gateway().clientCount() == 1);
  }

  /** One frame that is not a valid command, of a random kind. */
  static String malformed(Random random) {
    switch (random.nextInt(12)) {
      case 0:
        return randomText(random, 1 + random.nextInt(200));
      case 1:
        return "[" + random.nextInt() + ", \"" + randomText(random, 5).replace("\"", "") + "\"]";
      case 2:
        return String.valueOf(random.nextDouble());
      case 3:
        return "{\"consumer\": " + random.nextInt() + ", \"command_string\": \"ping\"}";
      case 4:
        return "{\"consumer\": \"lvmecp\", \"command_string\": " + random.nextBoolean() + "}";
      case 5:
        return "{\"consumer\": \"lvmecp\", \"command_string\": \"\"}";
      case 6:
        return "{\"consumer\": \"lvm*\", \"command_string\": \"status\"}";
      case 7:
        return "[".repeat(600 + random.nextInt(3000)) + "]".repeat(3);
      case 8:
        return "{\"command_string\": \"status\", \"x\": \""
            + "é🚀".repeat(random.nextInt(50))
            + "\"}";
      case 9:
        return "{\"consumer\": \"lvmecp\", \"command_string\": \"ping\", \"command_id\": {}}";
      case 10:
        return "{\"consumer\": \"lvmecp\", \"command_string\": \"ping\"} trailing";
      default:
        return "{\"consumer\": null, \"command_string\": [\""
            + "a".repeat(random.nextInt(100_000))
            + "\"]}";
    }
  }

  private static String randomText(Random random, int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      int c = random.nextInt(5) == 0 ? 0x80 + random.nextInt(0x2000) : 0x20 + random.nextInt(0x5f);
      text.append((char) c);
    }
    String s = text.toString();
    // never a valid JSON object with both fields: prefix with a character JSON rejects
    return "\u0001" + s;
  }
}
