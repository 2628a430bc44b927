package dev.cluws.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.core.codec.EncodedFrame;
import org.junit.jupiter.api.Test;

/** Each distinct reply a fan-out produces is encoded once and shared by the clients that get it. */
class SharedFramesTest extends InMemoryGatewayTestBase {
  private RecordingTransport connect(String query) {
    RecordingTransport transport = RecordingTransport.completingInline();
    connect(query, transport);
    return transport;
  }

  private void pushStatus() {
    source.push(
        TestReplies.reply("lvmecp", "i", null, "{\"dome\": \"open\", \"text\": \"x\", \"n\": 1}"));
  }

  private static EncodedFrame only(RecordingTransport transport) {
    assertThat(transport.frames()).hasSize(1);
    return transport.frames().get(0);
  }

  @Test
  void clientsWhoseFiltersTrimAReplyAlikeShareOneEncodedFrame() {
    RecordingTransport first = connect("keywords=dome");
    RecordingTransport second = connect("keywords=dome");
    RecordingTransport third = connect("actors=lvm*&keywords=dome");

    pushStatus();

    assertThat(only(first)).isSameAs(only(second)).isSameAs(only(third));
    assertThat(first.json().get(0).path("body").toString()).isEqualTo("{\"dome\":\"open\"}");
  }

  @Test
  void clientsWhoseFiltersTrimAReplyDifferentlyGetTheirOwnFrames() {
    RecordingTransport dome = connect("keywords=dome");
    RecordingTransport text = connect("keywords=text");

    pushStatus();

    assertThat(only(dome)).isNotSameAs(only(text));
    assertThat(text.json().get(0).path("body").toString()).isEqualTo("{\"text\":\"x\"}");
  }

  @Test
  void clientsThatReceiveTheReplyUnchangedShareTheReplysOwnFrame() {
    RecordingTransport plain = connect("");
    RecordingTransport allKeywords = connect("keywords=dome,text,n");
    RecordingTransport trimmed = connect("keywords=dome");

    pushStatus();

    assertThat(only(plain)).isSameAs(only(allKeywords)).isNotSameAs(only(trimmed));
    assertThat(plain.json().get(0).path("body").toString())
        .isEqualTo("{\"dome\":\"open\",\"text\":\"x\",\"n\":1}");
  }

  @Test
  void numberedAndUnnumberedClientsWithTheSameTrimGetDifferentFramesEachShared() {
    RecordingTransport numbered = connect("keywords=dome&seq=true");
    RecordingTransport numberedToo = connect("keywords=dome&seq=true");
    RecordingTransport unnumbered = connect("keywords=dome");

    pushStatus();

    assertThat(only(numbered)).isSameAs(only(numberedToo)).isNotSameAs(only(unnumbered));
    assertThat(numbered.json().get(0).path("seq").asLong()).isEqualTo(1);
    assertThat(numbered.json().get(0).path("body").toString()).isEqualTo("{\"dome\":\"open\"}");
    assertThat(unnumbered.json().get(0).has("seq")).isFalse();
  }
}
