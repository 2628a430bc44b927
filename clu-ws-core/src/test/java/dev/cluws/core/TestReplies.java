package dev.cluws.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Replies, JSON and filter providers for tests. */
public final class TestReplies {
  public static final JsonMapper MAPPER = JsonMapper.builder().build();
  public static final Instant TIMESTAMP = Instant.parse("2026-11-24T01:26:43Z");

  private TestReplies() {}

  /** A reply like the ones a CLU actor sends to a command. */
  public static Reply reply(String sender, String code, String commandId, String bodyJson) {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put(Reply.COMMAND_ID, commandId);
    headers.put(Reply.COMMANDER_ID, "clu-ws-test." + sender);
    headers.put(Reply.INTERNAL, false);
    headers.put(Reply.MESSAGE_CODE, code);
    headers.put(Reply.SENDER, sender);
    return new Reply(
        headers,
        "sdss_exchange",
        "reply.clu-ws-test." + sender,
        "2fd4ae6ca62b462585b873ba35ba2d18",
        commandId,
        TIMESTAMP,
        json(bodyJson));
  }

  /** A {@code :} reply from {@code sender} with body {@code {"text": "Pong."}}. */
  public static Reply reply(String sender) {
    return reply(sender, ":", "id-1", "{\"text\": \"Pong.\"}");
  }

  public static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A filter provider with the given name that builds its filter with the function. */
  public static ReplyFilterProvider provider(
      String name, Function<FilterContext, ReplyFilter> create) {
    return new ReplyFilterProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public ReplyFilter create(FilterContext context) {
        return create.apply(context);
      }
    };
  }
}
