package dev.cluws.cli;

import dev.cluws.cli.demo.DemoSettings;
import dev.cluws.cli.logging.LogFormat;

/**
 * The settings of the {@code clu-ws} process besides the gateway's own.
 *
 * @param logFormat how log events are written
 * @param demo whether and how the demo actor runs beside the gateway
 */
record ProcessSettings(LogFormat logFormat, DemoSettings demo) {}
