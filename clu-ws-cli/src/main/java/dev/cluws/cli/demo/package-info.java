/**
 * The demo actor that {@code clu-ws --demo} runs beside the gateway, so that a newcomer without an
 * observatory has an actor to command and replies to watch: {@link dev.cluws.cli.demo.DemoActor}.
 */
package dev.cluws.cli.demo;
