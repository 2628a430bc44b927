package dev.cluws.core.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.GatewayStats;
import dev.cluws.core.ProviderCatalog;
import dev.cluws.core.codec.ControlFrames;
import dev.cluws.core.codec.DecodedFrame;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.command.CommandGate;
import dev.cluws.core.command.CommandTracker;
import dev.cluws.core.log.LogText;
import dev.cluws.core.reply.FilterChain;
import dev.cluws.core.reply.FilterRequest;
import dev.cluws.core.reply.HistoryRequests;
import dev.cluws.core.reply.Joins;
import dev.cluws.core.reply.Subscription;
import dev.cluws.core.reply.SubscriptionException;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.Glob;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.ReplyFilterProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's control frames ({@code subscribe}, {@code unsubscribe}, {@code snapshot}): carries
 * each out and answers it with a {@code :} frame, or an {@code e} frame saying what was wrong (and
 * nothing changed). Runs on the client's transport thread; never blocks.
 */
public final class ControlHandler {
  private static final Logger log = LoggerFactory.getLogger(ControlHandler.class);

  /** Builds a client's filter chain from its filter requests (the gateway's subscription rules). */
  @FunctionalInterface
  public interface ChainFactory {
    /**
     * @throws SubscriptionException when a provider rejects its values or fails
     */
    FilterChain build(
        String clientId,
        ClientIdentity identity,
        Map<String, FilterRequest> requested,
        CommandTracker commands);
  }

  private final FrameCodec codec;
  private final GatewayStats stats;
  private final GatewaySettings settings;
  private final Joins joins;
  private final ProviderCatalog<ReplyFilterProvider> filters;
  private final ChainFactory chains;
  private final HistoryRequests history;

  public ControlHandler(
      FrameCodec codec,
      GatewayStats stats,
      GatewaySettings settings,
      Joins joins,
      ProviderCatalog<ReplyFilterProvider> filters,
      ChainFactory chains) {
    this(codec, stats, settings, joins, filters, chains, null);
  }

  /** With a shared history to answer {@code history} control frames from ({@code null}: none). */
  public ControlHandler(
      FrameCodec codec,
      GatewayStats stats,
      GatewaySettings settings,
      Joins joins,
      ProviderCatalog<ReplyFilterProvider> filters,
      ChainFactory chains,
      HistoryRequests history) {
    this.history = history;
    this.codec = codec;
    this.stats = stats;
    this.settings = settings;
    this.joins = joins;
    this.filters = filters;
    this.chains = chains;
  }

  /**
   * The names of the installed filters, for messages: {@code "actors, codes"} or {@code "none"}.
   */
  private String installedFilters() {
    return filters.names().isEmpty() ? "none" : String.join(", ", filters.names());
  }

  /**
   * Carries out a client's control frame and answers it: {@code :} with the result, or {@code e}
   * with what was wrong (and nothing changed). Runs on the client's transport thread; never blocks.
   */
  public void handle(ClientConnection client, DecodedFrame.ControlFrame frame) {
    stats.controlFrames.increment();
    try {
      if (frame instanceof DecodedFrame.SnapshotFrame) {
        snapshot(client, (DecodedFrame.SnapshotFrame) frame);
        return;
      }
      if (frame instanceof DecodedFrame.HistoryFrame) {
        history(client, (DecodedFrame.HistoryFrame) frame);
        return;
      }
      synchronized (client) {
        Subscription current = client.subscription();
        Map<String, FilterRequest> next = new LinkedHashMap<>(current.filters());
        String action;
        if (frame instanceof DecodedFrame.SubscribeFrame) {
          action = ControlFrames.SUBSCRIBE;
          Map<String, List<String>> parameters = ((DecodedFrame.SubscribeFrame) frame).parameters();
          Map<String, FilterRequest> requested = FilterRequest.group(parameters, name -> true);
          for (String name : requested.keySet()) {
            requireFilter(name);
          }
          next.putAll(requested);
        } else {
          action = ControlFrames.UNSUBSCRIBE;
          List<String> names = ((DecodedFrame.UnsubscribeFrame) frame).names();
          if (names == null) {
            next.clear();
          } else {
            for (String name : names) {
              requireFilter(name);
              next.remove(name);
            }
          }
        }
        FilterChain chain = chains.build(client.id(), client.identity(), next, current.commands());
        Subscription updated = current.withFilters(next, chain);
        if (frame instanceof DecodedFrame.SubscribeFrame subscribe
            && subscribe.ownReplies() != null) {
          updated = updated.withOwnReplies(Gateway.ownRepliesAlways(subscribe.ownReplies()));
        }
        client.resubscribe(updated);
        if (log.isDebugEnabled()) {
          log.debug(
              "client {} {}d: {}",
              client.id(),
              action,
              LogText.of(updated.describeFilters().toString()));
        }
        client.send(controlAnswer(action, frame.commandId(), updated));
      }
    } catch (SubscriptionException e) {
      stats.invalidFrames.increment();
      client.send(codec.errorFrame(MessageCode.ERROR, frame.commandId(), e.getMessage()));
    }
  }

  private void requireFilter(String name) {
    if (name.indexOf('.') > 0 && filters.find(FilterRequest.nameOf(name)).isPresent()) {
      throw new SubscriptionException(
          "'"
              + name
              + "' is an option of the filter '"
              + FilterRequest.nameOf(name)
              + "': unsubscribe names whole filters (give '"
              + FilterRequest.nameOf(name)
              + "', or subscribe again with new options)");
    }
    if (Gateway.RESERVED_PARAMETERS.contains(name)) {
      throw new SubscriptionException(
          "'" + name + "' is not a filter: it is a connection parameter (give it in the URL)");
    }
    if (filters.find(name).isEmpty()) {
      throw new SubscriptionException(
          "no filter named '" + name + "' is installed (installed: " + installedFilters() + ")");
    }
  }

  private void snapshot(ClientConnection client, DecodedFrame.SnapshotFrame frame) {
    if (!joins.keepsState()) {
      throw new SubscriptionException(
          "this gateway keeps no state, so it has no snapshot (it runs with --state-actors 0)");
    }
    // Snapshot frames are never shed and a snapshot may be large: while the client has not read
    // what is queued for it, refuse another one rather than pile it on (and run into the outbox's
    // hard bound, which closes the client). A snapshot costs the gateway work (filtering and
    // encoding up to --state-actors frames, on this thread, outside the hub's lock): it costs one
    // of the client's commands.
    admitCostlyRequest(client, "snapshot", "a snapshot");
    List<Glob> patterns = globs(frame.actors());
    joins.sendSnapshot(client, patterns, frame.commandId());
  }

  /**
   * A {@code history} control frame: refused like a snapshot when the client's outbox is full or
   * its command rate is spent (a history request counts as a command), and while its previous
   * request is still being answered; else answered from the shared history, asynchronously.
   */
  private void history(ClientConnection client, DecodedFrame.HistoryFrame frame) {
    if (history == null) {
      throw new SubscriptionException(
          "history refused: this gateway keeps no shared history (it runs without"
              + " --history-stream)");
    }
    admitCostlyRequest(client, "history", "a history request");
    List<Glob> patterns = globs(frame.actors());
    int limit = frame.limit() == 0 ? HistoryRequests.MAX_REPLIES : frame.limit();
    if (!history.serve(
        client, frame.since(), patterns, limit, frame.commandId(), MessageCode.DONE)) {
      throw new SubscriptionException(
          "history refused: the previous history request of this connection is still being"
              + " answered; wait for its end frame");
    }
  }

  /**
   * Refuses a request that makes the gateway queue many frames for this client (a snapshot, a
   * history request) while the client's outbox is full, and charges it one of the client's
   * commands.
   */
  private void admitCostlyRequest(ClientConnection client, String request, String countsAs) {
    Outbox outbox = client.outbox();
    if (outbox.queued() >= settings.outboxMaxFrames()
        || outbox.queuedBytes() >= settings.outboxMaxBytes()) {
      throw new SubscriptionException(
          request
              + " refused: "
              + outbox.queued()
              + " frames are still waiting to be sent to this connection (its outbox is full);"
              + " read them, then ask again");
    }
    if (!client.tryAcquireCommand()) {
      stats.commandsRateLimited.increment();
      throw new SubscriptionException(
          request
              + " refused: rate limit exceeded ("
              + countsAs
              + " counts as a command; at most "
              + CommandGate.formatRate(settings.commandsPerSecond())
              + " per second, bursts of "
              + settings.commandBurst()
              + ")");
    }
  }

  private static List<Glob> globs(List<String> actors) {
    List<Glob> patterns = new ArrayList<>();
    for (String actor : actors) {
      patterns.add(new Glob(actor));
    }
    return patterns;
  }

  private EncodedFrame controlAnswer(String action, String commandId, Subscription subscription) {
    ObjectNode body = codec.mapper().createObjectNode().put("control", action);
    ObjectNode described = body.putObject("subscription");
    Map<String, List<String>> filtersNow = subscription.describeFilters();
    filtersNow.forEach(
        (name, values) -> {
          ArrayNode array = described.putArray(name);
          values.forEach(array::add);
        });
    body.put(
        "text",
        filtersNow.isEmpty()
            ? "no filters: every reply is delivered"
            : "filters now: " + describe(filtersNow));
    return codec.encode(codec.gatewayReply(MessageCode.DONE, commandId, body), 0);
  }

  private static String describe(Map<String, List<String>> parameters) {
    StringBuilder text = new StringBuilder();
    parameters.forEach(
        (name, values) -> {
          if (text.length() > 0) {
            text.append(" & ");
          }
          text.append(name).append('=').append(String.join(",", values));
        });
    return text.toString();
  }
}
