package dev.cluws.core.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.GatewayStats;
import dev.cluws.core.access.AccessPolicy;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.log.LogText;
import dev.cluws.core.log.LogThrottle;
import dev.cluws.core.spi.BrokerUnavailableException;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.core.spi.Command;
import dev.cluws.core.spi.CommandOutcome;
import dev.cluws.core.spi.CommandSink;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.OutcomeUnknownException;
import dev.cluws.core.spi.SourceState;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides whether a command is published and what its client hears if not. It
 * asks the {@link AccessPolicy}, hands allowed commands to the sink, and answers a denied command
 * or a failed publish with an {@code f} frame naming the command.
 *
 * <p>Every decision is written to the audit logger {@value #AUDIT_LOGGER}: who (subject or remote
 * address), consumer, command string, command id and outcome ({@code forwarded}, {@code returned},
 * {@code denied by <rule>}, {@code refused: rate limit}, {@code failed: <reason>}). What the client
 * chose is escaped and bounded ({@link LogText}): the command string in quotes and cut at {@value
 * LogText#MAX_CHARS} characters with its length, the other values escaped and quoted when they are
 * not one word. Denied and rate-limited commands are logged once per client and {@link
 * LogThrottle#DEFAULT_INTERVAL interval} each, the next line saying how many were not logged (and a
 * last line when the client goes away), so that a client repeating a refused command cannot flood
 * the log; the meters count every one.
 */
public final class CommandGate {
  /** The logger that receives one line per command decision. */
  public static final String AUDIT_LOGGER = "dev.cluws.audit";

  private static final Logger log = LoggerFactory.getLogger(CommandGate.class);
  private static final Logger audit = LoggerFactory.getLogger(AUDIT_LOGGER);

  private final CommandSink sink;
  private final FrameCodec codec;
  private final GatewayStats stats;
  private final AccessPolicy policy;
  private final Supplier<SourceState> brokerState;
  private final GatewaySettings settings;

  /**
   * @param brokerState the state of the connection to the broker: while it is {@code DOWN} or
   *     {@code RECOVERING}, commands are answered at once with an {@code f} frame
   * @param settings the per-client command rate (enforced by each client's token bucket; named in
   *     the refusal)
   */
  public CommandGate(
      CommandSink sink,
      FrameCodec codec,
      GatewayStats stats,
      AccessPolicy policy,
      Supplier<SourceState> brokerState,
      GatewaySettings settings) {
    this.sink = sink;
    this.codec = codec;
    this.stats = stats;
    this.policy = policy;
    this.brokerState = brokerState;
    this.settings = settings;
  }

  /** A rate as people write it: {@code 50}, {@code 2.5}. */
  public static String formatRate(double perSecond) {
    return perSecond == Math.rint(perSecond)
        ? String.valueOf((long) perSecond)
        : String.valueOf(perSecond);
  }

  /** Decides and, if allowed, publishes the command without blocking; the outcome arrives later. */
  public CompletionStage<CommandOutcome> submit(ClientConnection client, Command command) {
    stats.commandsReceived.increment();
    if (!client.tryAcquireCommand()) {
      stats.commandsRateLimited.increment();
      auditThrottled(client, command, "refused: rate limit", client.rateLimitedLog());
      String message =
          String.format(
              Locale.ROOT,
              "command to '%s' refused: rate limit exceeded (at most %s commands per second,"
                  + " bursts of %d)",
              command.consumer(),
              formatRate(settings.commandsPerSecond()),
              settings.commandBurst());
      client.send(codec.errorFrame(MessageCode.FAILED, command.commandId(), message));
      return CompletableFuture.failedFuture(new CluWsException(message));
    }
    AccessPolicy.Decision decision;
    try {
      decision = policy.decide(client.identity(), command);
    } catch (RuntimeException e) {
      log.error(
          "the access policy failed; denying command {}", LogText.field(command.commandId()), e);
      decision = AccessPolicy.Decision.deny("policy-error");
    }
    if (!decision.allowed()) {
      stats.commandsDenied.increment();
      auditThrottled(client, command, "denied by " + decision.rule(), client.deniedLog());
      String message =
          "command to '" + command.consumer() + "' denied by rule '" + decision.rule() + "'";
      client.send(codec.errorFrame(MessageCode.FAILED, command.commandId(), message));
      return CompletableFuture.failedFuture(new CluWsException(message));
    }
    client.commandSent(command.consumer(), command.commandId());
    CompletionStage<CommandOutcome> stage;
    SourceState state = brokerState.get();
    if (state == SourceState.DOWN || state == SourceState.RECOVERING) {
      stage =
          CompletableFuture.failedFuture(
              new BrokerUnavailableException(
                  "the broker is unavailable; the gateway is reconnecting"));
    } else {
      try {
        stage = sink.send(command);
      } catch (RuntimeException e) {
        stage = CompletableFuture.failedFuture(e);
      }
    }
    return stage.whenComplete(
        (outcome, failure) -> {
          if (failure == null) {
            if (outcome == CommandOutcome.RETURNED) {
              stats.commandsReturned.increment();
              audit(client, command, "returned (no such consumer)");
            } else {
              stats.commandsPublished.increment();
              audit(client, command, "forwarded");
            }
            if (client.subscription().acks()) {
              stats.acksSent.increment();
              client.send(ack(command, outcome));
            }
            return;
          }
          client.commandFinished(command.consumer(), command.commandId());
          stats.commandsFailed.increment();
          String reason = reasonOf(failure);
          // After a lost confirm the command may have reached the actor: do not say "not sent".
          String what =
              rootOf(failure) instanceof OutcomeUnknownException
                  ? "may or may not have reached the actor"
                  : "was not sent";
          audit(client, command, (what.equals("was not sent") ? "failed: " : "unknown: ") + reason);
          log.warn(
              "command {} from {} to {} {}: {}",
              LogText.field(command.commandId()),
              client.id(),
              LogText.field(command.consumer()),
              what,
              LogText.of(reason, 500));
          client.send(
              codec.errorFrame(
                  MessageCode.FAILED,
                  command.commandId(),
                  "command to '" + command.consumer() + "' " + what + ": " + reason));
        });
  }

  /**
   * The acknowledgement of a command the broker took: {@code i} with {@code "ack": "published"}
   * when an actor's queue received it, {@code w} with {@code "ack": "returned"} when no actor
   * consumes it (CLU's own {@code f} reply follows).
   */
  private EncodedFrame ack(Command command, CommandOutcome outcome) {
    boolean returned = outcome == CommandOutcome.RETURNED;
    ObjectNode body =
        codec
            .mapper()
            .createObjectNode()
            .put("ack", returned ? "returned" : "published")
            .put("consumer", command.consumer())
            .put("command_id", command.commandId())
            .put(
                "text",
                returned
                    ? "no actor consumes commands for '" + command.consumer() + "'"
                    : "the broker took the command for '" + command.consumer() + "'");
    return codec.encode(
        codec.gatewayReply(
            returned ? MessageCode.WARNING : MessageCode.INFO, command.commandId(), body),
        0);
  }

  private static void audit(ClientConnection client, Command command, String outcome) {
    if (audit.isInfoEnabled()) {
      audit.info(
          "{} client={} consumer={} command_id={} command={} outcome={}",
          LogText.field(client.identity().describe()),
          client.id(),
          LogText.field(command.consumer()),
          LogText.field(command.commandId()),
          LogText.quoted(command.commandString()),
          LogText.of(outcome, 500));
    }
  }

  /** An audit line for a refused command, at most one per client and interval. */
  private static void auditThrottled(
      ClientConnection client, Command command, String outcome, LogThrottle throttle) {
    long skipped = throttle.admit(System.nanoTime());
    if (skipped >= 0) {
      audit(client, command, outcome + LogThrottle.skippedNote(skipped));
    }
  }

  /**
   * The last audit line of a client that goes away with denied or rate-limited commands that were
   * not logged since the last line of each.
   */
  public static void auditNotLogged(ClientConnection client, long denied, long rateLimited) {
    if ((denied > 0 || rateLimited > 0) && audit.isInfoEnabled()) {
      audit.info(
          "{} client={} closed; not logged since the last line of each: {} denied, {} rate-limited"
              + " commands",
          LogText.field(client.identity().describe()),
          client.id(),
          denied,
          rateLimited);
    }
  }

  private static Throwable rootOf(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static String reasonOf(Throwable failure) {
    Throwable cause = rootOf(failure);
    if (cause instanceof CluWsException && cause.getMessage() != null) {
      return cause.getMessage();
    }
    return cause.getClass().getSimpleName()
        + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }
}
