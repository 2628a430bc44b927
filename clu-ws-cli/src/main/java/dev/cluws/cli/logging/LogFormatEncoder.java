package dev.cluws.cli.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.util.Iterator;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * A logback encoder that writes each event with one of two encoders configured inside it, {@code
 * text} or {@code json}, as its {@code format} says. The distribution's {@code logback.xml} sets
 * the format from {@code CLU_WS_LOG_FORMAT}; {@link #useFormat} switches it when the option comes
 * from the command line or the config file, after logback has started.
 *
 * <pre>{@code
 * <encoder class="dev.cluws.cli.logging.LogFormatEncoder">
 *   <format>${CLU_WS_LOG_FORMAT:-text}</format>
 *   <text class="ch.qos.logback.classic.encoder.PatternLayoutEncoder">...</text>
 *   <json class="ch.qos.logback.classic.encoder.JsonEncoder">...</json>
 * </encoder>
 * }</pre>
 */
public final class LogFormatEncoder extends EncoderBase<ILoggingEvent> {
  private Encoder<ILoggingEvent> text;
  private Encoder<ILoggingEvent> json;
  private volatile LogFormat format = LogFormat.TEXT;

  /** The encoder for {@link LogFormat#TEXT}. */
  public void setText(Encoder<ILoggingEvent> text) {
    this.text = text;
  }

  /** The encoder for {@link LogFormat#JSON}. */
  public void setJson(Encoder<ILoggingEvent> json) {
    this.json = json;
  }

  /**
   * The format by name ({@code text} or {@code json}); an unknown name means text, with a warning.
   */
  public void setFormat(String name) {
    try {
      this.format = LogFormat.parse(name);
    } catch (IllegalArgumentException e) {
      // Not a warning: logback would print its whole status at start-up, and clu-ws's option
      // parser rejects the same value (CLU_WS_LOG_FORMAT is also --log-format) with one line.
      addInfo(e.getMessage() + "; writing text");
      this.format = LogFormat.TEXT;
    }
  }

  /** The format events are written in now. */
  public LogFormat format() {
    return format;
  }

  @Override
  public void start() {
    if (text == null || json == null) {
      addError("LogFormatEncoder needs both a <text> and a <json> encoder");
      return;
    }
    for (Encoder<ILoggingEvent> encoder : List.of(text, json)) {
      if (!encoder.isStarted()) {
        encoder.start();
      }
    }
    super.start();
  }

  private Encoder<ILoggingEvent> current() {
    return format == LogFormat.JSON ? json : text;
  }

  @Override
  public byte[] headerBytes() {
    return current().headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return current().encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return current().footerBytes();
  }

  /**
   * Switches every {@code LogFormatEncoder} of the running logback configuration to {@code format}.
   * Does nothing when logback is not the SLF4J backend or a configuration without this encoder is
   * in use (e.g. one given with {@code -Dlogback.configurationFile}).
   *
   * @return whether an encoder was switched
   */
  public static boolean useFormat(LogFormat format) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      return false;
    }
    boolean found = false;
    for (Logger logger : context.getLoggerList()) {
      for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
        if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender
            && appender.getEncoder() instanceof LogFormatEncoder encoder) {
          encoder.format = format;
          found = true;
        }
      }
    }
    return found;
  }
}
