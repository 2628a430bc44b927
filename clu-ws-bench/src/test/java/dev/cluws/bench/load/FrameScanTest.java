package dev.cluws.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameScanTest {
  private static final String FRAME =
      "{\"headers\":{\"command_id\":\"ws0-17\",\"commander_id\":\"gw.actor\",\"internal\":false,"
          + "\"message_code\":\":\",\"sender\":\"actor\"},\"exchange\":\"ex\",\"message_id\":\"m\","
          + "\"routing_key\":\"reply.gw.actor\",\"timestamp\":\"2026-11-24T01:26:43+00:00\","
          + "\"body\":{\"seq\":-42,\"t\":1700000000123456,\"pad\":\"abc\"}}";

  @Test
  void readsTheBenchNumbersOutOfABody() {
    byte[] body = BenchMessages.body(123, 1700000000000001L);
    assertThat(body).hasSize(BenchMessages.BODY_BYTES);
    assertThat(FrameScan.seq(body)).isEqualTo(123);
    assertThat(FrameScan.sentMicros(body)).isEqualTo(1700000000000001L);
  }

  @Test
  void readsTheBenchNumbersOutOfAFramePayload() {
    java.nio.ByteBuffer payload =
        java.nio.ByteBuffer.allocateDirect(FRAME.length())
            .put(FRAME.getBytes(StandardCharsets.UTF_8))
            .flip();
    assertThat(FrameScan.seq(payload)).isEqualTo(-42);
    assertThat(FrameScan.sentMicros(payload)).isEqualTo(1700000000123456L);
    assertThat(payload.position()).isZero();
  }

  @Test
  void aFrameWithoutBenchNumbersIsMissing() {
    byte[] frame = "{\"headers\":{},\"body\":{\"error\":\"bad\"}}".getBytes(StandardCharsets.UTF_8);
    assertThat(FrameScan.seq(frame)).isEqualTo(FrameScan.MISSING);
    assertThat(FrameScan.sentMicros(frame)).isEqualTo(FrameScan.MISSING);
    assertThat(FrameScan.seq("{}".getBytes(StandardCharsets.UTF_8))).isEqualTo(FrameScan.MISSING);
  }

  @Test
  void comparesStringFieldsExactly() {
    assertThat(FrameScan.stringEquals(FRAME, "\"command_id\":", 0, "ws0-17")).isTrue();
    assertThat(FrameScan.stringEquals(FRAME, "\"command_id\":", 0, "ws0-1")).isFalse();
    assertThat(FrameScan.stringEquals(FRAME, "\"command_id\":", 0, "ws0-170")).isFalse();
    assertThat(FrameScan.stringAfter(FRAME, "\"message_code\":", 0)).isEqualTo(":");
  }
}
