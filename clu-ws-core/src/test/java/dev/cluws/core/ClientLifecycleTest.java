package dev.cluws.core;

import static dev.cluws.core.TestFilters.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.reply.Subscription;
import dev.cluws.core.reply.SubscriptionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One client lifecycle: a permit before the upgrade (the limit is exact), registration before any
 * frame is queued, and removal on every path, once, giving the permit back.
 */
class ClientLifecycleTest extends InMemoryGatewayTestBase {
  private void useLimit(int limit) {
    gateway.close();
    gateway = gateway(b -> b.maxConnections(limit));
  }

  private int registered() {
    return gateway.hub().clientCount();
  }

  private int permits() {
    return gateway.admission().inUse();
  }

  @Test
  void theConnectionLimitCountsUpgradesNotYetConnected() {
    useLimit(2);
    Subscription first = gateway.subscribe(query(""));
    gateway.subscribe(query(""));

    assertThatThrownBy(() -> gateway.subscribe(query(""))).isInstanceOf(GatewayBusyException.class);
    first.abandon();
    first.abandon();
    assertThat(permits()).isEqualTo(1);
    gateway.subscribe(query(""));
    assertThat(permits()).isEqualTo(2);
  }

  @Test
  void aRefusedSubscriptionGivesItsPermitBack() {
    useLimit(1);

    assertThatThrownBy(() -> gateway.subscribe(query("seq=maybe")))
        .isInstanceOf(SubscriptionException.class);
    assertThat(permits()).isZero();
    gateway.subscribe(query(""));
  }

  @Test
  void aClientWhoseFirstFramesCannotBeSentIsNotLeftRegistered() {
    useLimit(3);
    for (int i = 0; i < 5; i++) {
      source.push(TestReplies.reply("lvmecp"));
    }
    for (String query : List.of("since=0", "snapshot=true", "exmaple=1", "since=0&seq=true")) {
      RecordingTransport gone = RecordingTransport.completingInline();
      gone.throwOnSend(new UncheckedIOException(new IOException("connection reset")));

      ClientConnection client = connect(query, gone);

      assertThat(client.isClosed()).as(query).isTrue();
      assertThat(registered()).as(query).isZero();
      assertThat(permits()).as(query).isZero();
    }
    RecordingTransport healthy = RecordingTransport.completingInline();
    connect("since=0", healthy);
    assertThat(registered()).isOne();
    assertThat(healthy.json()).hasSize(6);
  }

  @Test
  void everyWayOutRemovesTheClientOnceAndGivesItsPermitBack() {
    useLimit(4);
    ClientConnection closed = connect("", RecordingTransport.completingInline());
    ClientConnection closedWithCode = connect("", RecordingTransport.completingInline());
    ClientConnection aborted = connect("", RecordingTransport.completingInline());
    RecordingTransport failing = RecordingTransport.completingInline();
    connect("", failing);
    assertThat(registered()).isEqualTo(4);
    assertThat(permits()).isEqualTo(4);

    closed.close();
    closed.close();
    closedWithCode.close(1000, "bye");
    aborted.abort();
    failing.throwOnSend(new UncheckedIOException(new IOException("broken pipe")));
    source.push(TestReplies.reply("lvmecp"));

    assertThat(registered()).isZero();
    assertThat(permits()).isZero();
  }

  @Test
  void shutdownRemovesEveryClientAndGivesEveryPermitBack() {
    useLimit(3);
    connect("", RecordingTransport.completingInline());
    connect("snapshot=true", RecordingTransport.completingInline());
    gateway.subscribe(query(""));

    gateway.close();

    assertThat(registered()).isZero();
    assertThat(permits()).isOne(); // the upgrade that never connected: its transport gives it back
  }

  @Test
  void aClientConnectingToAClosedGatewayGivesItsPermitBack() {
    Subscription subscription = gateway.subscribe(query(""));
    gateway.close();

    ClientConnection client = gateway.connect(subscription, RecordingTransport.completingInline());

    assertThat(client.isClosed()).isTrue();
    assertThat(permits()).isZero();
  }
}
