package dev.cluws.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures the events of one logger (and its children) for a test, and keeps them off the console
 * while it does: expected errors are asserted, not printed.
 */
final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final boolean additive;
  private final Level level;

  private LogCapture(String name, Level atLeast) {
    logger = (Logger) LoggerFactory.getLogger(name);
    additive = logger.isAdditive();
    level = logger.getLevel();
    appender.start();
    logger.addAppender(appender);
    logger.setAdditive(false);
    if (!logger.isEnabledFor(atLeast)) {
      logger.setLevel(atLeast);
    }
  }

  /** Captures {@code name}'s INFO events and up. */
  static LogCapture of(String name) {
    return new LogCapture(name, Level.INFO);
  }

  /** The captured events so far, oldest first. */
  List<ILoggingEvent> events() {
    return List.copyOf(appender.list);
  }

  /** The formatted messages so far. */
  List<String> messages() {
    return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** The formatted messages at {@code level}. */
  List<String> messages(Level atLevel) {
    return events().stream()
        .filter(e -> e.getLevel().equals(atLevel))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setAdditive(additive);
    logger.setLevel(level);
    appender.stop();
  }
}
