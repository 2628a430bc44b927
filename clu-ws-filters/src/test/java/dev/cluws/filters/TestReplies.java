package dev.cluws.filters;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.cluws.core.spi.Reply;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Replies as a CLU actor sends them. */
final class TestReplies {
  private TestReplies() {}

  /** A {@code :} reply from {@code sender}; {@code null} gives a reply without a sender header. */
  static Reply from(String sender) {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put(Reply.COMMAND_ID, "id-1");
    headers.put(Reply.COMMANDER_ID, "clu-ws-0123456789ab." + sender);
    headers.put(Reply.INTERNAL, false);
    headers.put(Reply.MESSAGE_CODE, ":");
    if (sender != null) {
      headers.put(Reply.SENDER, sender);
    }
    return new Reply(
        headers,
        "sdss_exchange",
        "reply.clu-ws-0123456789ab." + sender,
        "2fd4ae6ca62b462585b873ba35ba2d18",
        "id-1",
        Instant.parse("2026-11-24T01:26:43Z"),
        JsonNodeFactory.instance.objectNode().put("text", "Pong."));
  }
}
