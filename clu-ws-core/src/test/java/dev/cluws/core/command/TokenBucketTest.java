package dev.cluws.core.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  @Test
  void aBurstIsAllowedAndThenTheRateApplies() {
    TokenBucket bucket = new TokenBucket(10, 3, 0);

    assertThat(bucket.tryTake(0)).isTrue();
    assertThat(bucket.tryTake(0)).isTrue();
    assertThat(bucket.tryTake(0)).isTrue();
    assertThat(bucket.tryTake(0)).isFalse();
    assertThat(bucket.tryTake(50_000_000)).isFalse(); // half a token after 50 ms
    assertThat(bucket.tryTake(100_000_000)).isTrue(); // one token after 100 ms
  }

  @Test
  void tokensNeverExceedTheBurst() {
    TokenBucket bucket = new TokenBucket(1000, 2, 0);

    long later = 60_000_000_000L;
    assertThat(bucket.tryTake(later)).isTrue();
    assertThat(bucket.tryTake(later)).isTrue();
    assertThat(bucket.tryTake(later)).isFalse();
  }
}
