package dev.cluws.jetty.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The size a text part is counted with against the message limit: its UTF-8 bytes on the wire. */
class ClientEndpointTest {

  @Test
  void aTextIsCountedInTheUtf8BytesItWasSentAsWhateverItsCharacters() {
    for (String text :
        new String[] {"", "ping", "Grüße", "✓ done", "🚀 launched", "a\u0000b", "ẞ🚀é✓x"}) {
      assertThat(ClientEndpoint.utf8Length(text))
          .as("%s", text)
          .isEqualTo(text.getBytes(UTF_8).length);
    }
  }
}
