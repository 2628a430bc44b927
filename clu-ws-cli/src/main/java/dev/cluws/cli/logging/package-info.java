/**
 * The distribution's log output: {@link dev.cluws.cli.logging.LogFormatEncoder} writes each event
 * as a readable line or as one JSON object, as {@link dev.cluws.cli.logging.LogFormat} says ({@code
 * CLU_WS_LOG_FORMAT} or {@code --log-format}). Configured in the jar's {@code logback.xml}.
 */
package dev.cluws.cli.logging;
