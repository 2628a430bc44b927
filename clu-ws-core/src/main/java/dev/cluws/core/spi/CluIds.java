package dev.cluws.core.spi;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * New identifiers in the form CLU gives them: what a {@link CommandSink} or a test actor puts in
 * the {@code message_id} of what it publishes, and what the gateway gives a command sent without a
 * {@code command_id}.
 */
public final class CluIds {
  private CluIds() {}

  /** A new message id in CLU's form: 32 lower-case hex digits, random. */
  public static String newMessageId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return hex16(random.nextLong()) + hex16(random.nextLong());
  }

  /** A new command id in CLU's form: a uuid4 string. */
  public static String newCommandId() {
    return UUID.randomUUID().toString();
  }

  private static String hex16(long value) {
    String hex = Long.toHexString(value);
    return hex.length() == 16 ? hex : "0".repeat(16 - hex.length()) + hex;
  }
}
