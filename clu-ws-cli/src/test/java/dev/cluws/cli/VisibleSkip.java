package dev.cluws.cli;

import org.junit.jupiter.api.Assumptions;

/**
 * Skips a test whose tool is missing on this machine, saying so in the Maven output (a skip reason
 * otherwise shows only in the failsafe reports).
 */
final class VisibleSkip {
  private VisibleSkip() {}

  /** Prints {@code [WARNING] SKIPPED <test class>: <why>} and aborts the running test. */
  static void skip(String why) {
    String test =
        StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
            .walk(
                frames ->
                    frames
                        .map(StackWalker.StackFrame::getDeclaringClass)
                        .filter(c -> c != VisibleSkip.class && c != NodeTests.class)
                        .findFirst()
                        .map(Class::getSimpleName)
                        .orElse("a test"));
    System.out.println("[WARNING] SKIPPED " + test + ": " + why);
    Assumptions.abort(why);
  }
}
