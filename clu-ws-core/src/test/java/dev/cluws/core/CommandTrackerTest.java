package dev.cluws.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandTrackerTest {
  @Test
  void aFinishedCommandIsForgotten() {
    CommandTracker tracker = new CommandTracker(10, 1_000);
    tracker.sent("a", 0);

    assertThat(tracker.finished("a")).isTrue();
    assertThat(tracker.finished("a")).isFalse();
    assertThat(tracker.size()).isZero();
  }

  @Test
  void theOldestCommandIsForgottenBeyondTheLimit() {
    CommandTracker tracker = new CommandTracker(2, 1_000);
    tracker.sent("a", 0);
    tracker.sent("b", 1);
    tracker.sent("c", 2);

    assertThat(tracker.isOwn("a")).isFalse();
    assertThat(tracker.isOwn("b")).isTrue();
    assertThat(tracker.isOwn("c")).isTrue();
  }

  @Test
  void commandsOlderThanTheExpiryAreForgotten() {
    CommandTracker tracker = new CommandTracker(10, 100);
    tracker.sent("old", 0);
    tracker.sent("young", 150);

    int expired = tracker.expire(200);

    assertThat(expired).isEqualTo(1);
    assertThat(tracker.isOwn("old")).isFalse();
    assertThat(tracker.isOwn("young")).isTrue();
  }
}
