package dev.cluws.core.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandTrackerTest {
  @Test
  void aFinishedCommandIsForgotten() {
    CommandTracker tracker = new CommandTracker(10, 1_000);
    tracker.sent("lvmecp", "a", 0);

    assertThat(tracker.finished("lvmecp", "a")).isTrue();
    assertThat(tracker.finished("lvmecp", "a")).isFalse();
    assertThat(tracker.size()).isZero();
  }

  @Test
  void theOldestCommandIsForgottenBeyondTheLimit() {
    CommandTracker tracker = new CommandTracker(2, 1_000);
    tracker.sent("lvmecp", "a", 0);
    tracker.sent("lvmecp", "b", 1);
    tracker.sent("lvmecp", "c", 2);

    assertThat(tracker.isOwn("lvmecp", "a")).isFalse();
    assertThat(tracker.isOwn("lvmecp", "b")).isTrue();
    assertThat(tracker.isOwn("lvmecp", "c")).isTrue();
  }

  @Test
  void commandsOlderThanTheExpiryAreForgotten() {
    CommandTracker tracker = new CommandTracker(10, 100);
    tracker.sent("lvmecp", "old", 0);
    tracker.sent("lvmecp", "young", 150);

    int expired = tracker.expire(200);

    assertThat(expired).isEqualTo(1);
    assertThat(tracker.isOwn("lvmecp", "old")).isFalse();
    assertThat(tracker.isOwn("lvmecp", "young")).isTrue();
  }
}
