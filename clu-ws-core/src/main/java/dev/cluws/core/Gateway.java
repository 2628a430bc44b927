package dev.cluws.core;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.access.AccessPolicy;
import dev.cluws.core.access.Visibility;
import dev.cluws.core.client.Admission;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.client.ClientRegistry;
import dev.cluws.core.client.ClientTransport;
import dev.cluws.core.client.ControlHandler;
import dev.cluws.core.client.FanOutSenders;
import dev.cluws.core.client.Outbox;
import dev.cluws.core.codec.ControlFrames;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.command.CommandGate;
import dev.cluws.core.command.CommandTracker;
import dev.cluws.core.log.LogText;
import dev.cluws.core.reply.FilterChain;
import dev.cluws.core.reply.FilterRequest;
import dev.cluws.core.reply.HistoryRequests;
import dev.cluws.core.reply.HistoryResume;
import dev.cluws.core.reply.Hub;
import dev.cluws.core.reply.Joins;
import dev.cluws.core.reply.StateRebuild;
import dev.cluws.core.reply.Subscription;
import dev.cluws.core.reply.SubscriptionException;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.CommandSink;
import dev.cluws.core.spi.CommandSinkProvider;
import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.JsonMappers;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.MessageSource;
import dev.cluws.core.spi.MessageSourceProvider;
import dev.cluws.core.spi.PluginSettings;
import dev.cluws.core.spi.ProviderContext;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.ReplyHistory;
import dev.cluws.core.spi.SourceState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root of the core: owns the hub, the codec, the command gate, the message source and the
 * command sink, and connects websocket clients to them. Transport-neutral: the Jetty module hosts
 * it behind a websocket server.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.builder().settings(new AmqpSettings(...)).build();
 * gateway.start();   // connects to the broker
 * ...
 * gateway.close();
 * }</pre>
 *
 * <p>The source and sink come from {@link MessageSourceProvider} and {@link CommandSinkProvider}
 * found with {@link java.util.ServiceLoader} (or are given to the builder); reply filters come from
 * {@link ReplyFilterProvider}s, selected per client by its subscription.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  /** The websocket close code for a server that goes away. */
  public static final int GOING_AWAY = 1001;

  /** The websocket close code for a server that cannot take the client now. */
  public static final int TRY_AGAIN_LATER = 1013;

  /** Query parameter: the reply number or message id a reconnecting client last saw. */
  public static final String SINCE = "since";

  /** Query parameter: {@code seq=true} adds the reply number to every frame as {@code "seq"}. */
  public static final String SEQ = "seq";

  /** Query parameter: {@code snapshot=true} sends the current state before any live reply. */
  public static final String SNAPSHOT = "snapshot";

  /** Query parameter: {@code acks=true} acknowledges every command the broker confirms. */
  public static final String ACKS = "acks";

  /** Query parameter the websocket server reads a bearer token from. */
  public static final String TOKEN = "token";

  /**
   * Query parameter: {@code policy=latest} drops this client's oldest frames when it falls behind
   * (and tells it how many it missed) instead of holding the gateway back and closing it after the
   * slow-client timeout; {@code policy=complete} is the default.
   */
  public static final String POLICY = "policy";

  /**
   * Query parameter (and {@code subscribe} field): {@code own_replies=always} delivers the replies
   * to the client's own commands whatever its filters say (its role still applies); {@code
   * filtered}, the default, passes them through the filters like any reply.
   */
  public static final String OWN_REPLIES = "own_replies";

  /**
   * Query parameter, with a shared history only: {@code history=<minutes>} or {@code
   * history=<ISO-8601 time>} sends the replies kept in the history since then (through the client's
   * filters) after the connect. Without a history it is an unknown parameter, as before.
   */
  public static final String HISTORY = "history";

  /** Parameter names that belong to the gateway itself and never name a filter. */
  public static final Set<String> RESERVED_PARAMETERS =
      Set.of(SINCE, SEQ, SNAPSHOT, ACKS, TOKEN, POLICY, OWN_REPLIES);

  /** How long a permit may wait for its upgrade to complete before it is taken back. */
  private static final long UPGRADE_TIMEOUT_NANOS = 10_000_000_000L;

  private static final long HOUSEKEEPING_MILLIS = 1000;

  /**
   * How far before the source left the broker a repair of the state reads the history (the
   * history's times are the broker's clock, the loss's the gateway's).
   */
  static final Duration REPAIR_MARGIN = Duration.ofMinutes(1);

  /** A repair of the state that cannot read the history (not reconnected yet) tries again. */
  static final Duration REPAIR_RETRY = Duration.ofSeconds(2);

  /** ... at most this many times. */
  static final int REPAIR_ATTEMPTS = 30;

  private static final long ABORT_GRACE_MILLIS = 5000;

  private final GatewaySettings settings;
  private final GatewayStats stats = new GatewayStats();
  private final FrameCodec codec;
  private final ClientRegistry registry;
  private final Hub hub;
  private final Joins joins;
  private final MessageSource source;
  private final CommandSink sink;
  private final CommandGate gate;
  private final ControlHandler controls;
  private final ProviderCatalog<ReplyFilterProvider> filters;

  /** The shared history, or {@code null} without one. */
  private final ReplyHistory history;

  private final HistoryRequests historyRequests;
  private final HistoryResume historyResume;
  private volatile StateRebuild rebuild;

  /** Each filter provider's settings, by name: the same for every client. */
  private final Map<String, PluginSettings> filterSettings;

  private final AccessPolicy accessPolicy;
  private final AtomicLong clientIds = new AtomicLong();
  private final Admission admission;

  /** What each client connection gets from the gateway (no reference to the gateway itself). */
  private final ClientConnection.Services clientServices;

  private final Object lifecycle = new Object();
  private boolean started;
  private volatile boolean closed;
  private volatile ScheduledExecutorService housekeeping;

  /**
   * Where outboxes write frames to websockets: sender threads, so a fan-out mostly only queues, or
   * (for the first clients of a reply after a pause) the delivery thread itself.
   */
  private final Executor senders;

  /** The gateway's own sender threads, when it was not given an executor. */
  private final ExecutorService ownSenders;

  private Gateway(Builder b) {
    this.settings = b.settings;
    this.admission = new Admission(settings.maxConnections());
    this.codec = new FrameCodec(b.mapper, settings.name());
    this.registry = new ClientRegistry();
    this.ownSenders = b.sendExecutor == null ? newSenders(settings.name()) : null;
    // The first frames of a reply that follows a pause are written on the delivery thread.
    FanOutSenders fanOutSenders = ownSenders == null ? null : new FanOutSenders(ownSenders);
    this.senders = b.sendExecutor != null ? b.sendExecutor : fanOutSenders;
    this.hub = new Hub(codec, stats, settings, registry, fanOutSenders);
    this.joins = hub.joins();
    ClassLoader loader = b.classLoader;
    PluginConfiguration plugins = b.plugins;
    // Every setting is checked before any provider creates anything.
    this.filters =
        b.filters != null
            ? b.filters
            : ProviderCatalog.load(ReplyFilterProvider.class, ReplyFilterProvider::name, loader);
    plugins.check(PluginConfiguration.Kind.FILTER, filters);
    Map<String, PluginSettings> byFilter = new LinkedHashMap<>();
    for (String name : filters.names()) {
      byFilter.put(
          name,
          plugins.settingsOf(PluginConfiguration.Kind.FILTER, filters.find(name).orElseThrow()));
    }
    this.filterSettings = Map.copyOf(byFilter);
    MessageSourceProvider sourceProvider = null;
    if (b.source == null) {
      ProviderCatalog<MessageSourceProvider> sources =
          b.sources != null
              ? b.sources
              : ProviderCatalog.load(
                  MessageSourceProvider.class, MessageSourceProvider::name, loader);
      plugins.check(PluginConfiguration.Kind.SOURCE, sources);
      sourceProvider = sources.select(settings.sourceProvider());
    }
    CommandSinkProvider sinkProvider = null;
    if (b.sink == null) {
      ProviderCatalog<CommandSinkProvider> sinks =
          b.sinks != null
              ? b.sinks
              : ProviderCatalog.load(CommandSinkProvider.class, CommandSinkProvider::name, loader);
      plugins.check(PluginConfiguration.Kind.SINK, sinks);
      sinkProvider = sinks.select(settings.sinkProvider());
    }
    this.source =
        b.source != null
            ? b.source
            : sourceProvider.create(
                new SimpleProviderContext(
                    settings.name(),
                    b.settingsObjects,
                    b.mapper,
                    plugins.settingsOf(PluginConfiguration.Kind.SOURCE, sourceProvider)));
    this.sink =
        b.sink != null
            ? b.sink
            : sinkProvider.create(
                new SimpleProviderContext(
                    settings.name(),
                    b.settingsObjects,
                    b.mapper,
                    plugins.settingsOf(PluginConfiguration.Kind.SINK, sinkProvider)));
    this.accessPolicy = b.accessPolicy;
    this.gate = new CommandGate(sink, codec, stats, accessPolicy, hub::sourceState, settings);
    this.history = b.history;
    this.historyRequests = history == null ? null : new HistoryRequests(codec, history);
    this.historyResume = history == null ? null : new HistoryResume(codec, history);
    this.controls =
        new ControlHandler(
            codec, stats, settings, joins, filters, this::buildChain, historyRequests);
    this.clientServices =
        new ClientConnection.Services(
            codec, stats, settings, gate, controls::handle, registry::remove);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Connects the sink and the source (in that order) and starts forwarding replies. Idempotent.
   *
   * @throws dev.cluws.core.spi.BrokerUnavailableException when the broker cannot be reached;
   *     whatever was started is closed again and the gateway is closed for good
   * @throws IllegalStateException when the gateway was closed
   */
  public void start() {
    synchronized (lifecycle) {
      if (started) {
        return;
      }
      if (closed) {
        throw new IllegalStateException("gateway " + settings.name() + " is closed");
      }
      try {
        sink.start();
        source.start(hub);
        if (history != null) {
          history.start();
          if (hub.keepsState()) {
            rebuildState();
            hub.setLossAction(this::repliesLost);
          }
        }
        housekeeping =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "clu-ws-housekeeping-" + settings.name());
                  t.setDaemon(true);
                  return t;
                });
        // maintain() catches per client, so a failure never cancels the schedule.
        var unused =
            housekeeping.scheduleWithFixedDelay(
                this::maintain, HOUSEKEEPING_MILLIS, HOUSEKEEPING_MILLIS, TimeUnit.MILLISECONDS);
      } catch (RuntimeException e) {
        // Final: the source and sink are closed and cannot start again; build a new gateway.
        closed = true;
        closeQuietly();
        throw e;
      }
      started = true;
      log.info("gateway {} started (filters available: {})", settings.name(), installedFilters());
    }
  }

  /**
   * Rebuilds the state from the history, in the background; {@link #catchingUp()} says so until it
   * is done (or failed: then the gateway serves the state it sees from now on).
   */
  private void rebuildState() {
    StateRebuild running = new StateRebuild(hub, history);
    rebuild = running;
    long started = System.nanoTime();
    running
        .start()
        .whenComplete(
            (replies, failure) -> {
              if (failure != null) {
                log.warn(
                    "could not rebuild the state from history {}: {}; the state holds only what"
                        + " the gateway sees from now on",
                    history.name(),
                    failure.toString());
              } else {
                log.info(
                    "state rebuilt from history {}: {} replies read in {} ms, {} actors",
                    history.name(),
                    replies,
                    (System.nanoTime() - started) / 1_000_000,
                    hub.stateActors());
              }
              rebuild = null;
            });
  }

  /**
   * A repair of the state to run: reads the history from {@code from} over every keyword no reply
   * numbered above {@code lastBefore} set; {@code attempts} left.
   */
  private record Repair(long lastBefore, Instant from, int attempts) {
    /**
     * One repair for two losses: read from the earlier time, over every value older than the later
     * loss (the history holds everything since the earlier time, in order, so its values are at
     * least as new), with the larger number of attempts left.
     */
    Repair widen(Repair other) {
      return new Repair(
          Math.max(lastBefore, other.lastBefore),
          from.isBefore(other.from) ? from : other.from,
          Math.max(attempts, other.attempts));
    }
  }

  private final Object repairLock = new Object();

  /** The repair waiting to run (guarded by {@link #repairLock}), or {@code null}. */
  private Repair pendingRepair;

  /** Whether a repair is reading or waiting to try again (guarded by {@link #repairLock}). */
  private boolean repairing;

  /**
   * After the source lost replies: repairs the state from the shared history (which kept receiving
   * them) in the background, so that the values the lost replies changed are not kept. One repair
   * runs at a time; losses meanwhile widen the next one. The history's own connection may still be
   * reconnecting when the source is back: a failed read is tried again every {@link #REPAIR_RETRY},
   * {@link #REPAIR_ATTEMPTS} times in all.
   */
  private void repliesLost(long lastBefore, Instant since) {
    Repair repair = new Repair(lastBefore, since.minus(REPAIR_MARGIN), REPAIR_ATTEMPTS);
    synchronized (repairLock) {
      pendingRepair = pendingRepair == null ? repair : pendingRepair.widen(repair);
      if (repairing) {
        return; // the repair running takes it up when it ends
      }
      repairing = true;
    }
    runRepair();
  }

  private void runRepair() {
    Repair repair;
    synchronized (repairLock) {
      repair = pendingRepair;
      pendingRepair = null;
      if (repair == null || closed) {
        repairing = false;
        return;
      }
    }
    StateRebuild read = StateRebuild.repair(hub, history, repair.from(), repair.lastBefore());
    long started = System.nanoTime();
    read.start()
        .whenComplete(
            (replies, failure) -> {
              if (failure == null) {
                log.info(
                    "state repaired from history {} after lost replies: {} replies since {} read"
                        + " in {} ms, {} keywords changed",
                    history.name(),
                    replies,
                    repair.from(),
                    (System.nanoTime() - started) / 1_000_000,
                    read.keywordsChanged());
                runRepair(); // a loss while it read
                return;
              }
              retryRepair(repair, failure);
            });
  }

  private void retryRepair(Repair failed, Throwable failure) {
    Repair next = new Repair(failed.lastBefore(), failed.from(), failed.attempts() - 1);
    synchronized (repairLock) {
      next = pendingRepair == null ? next : pendingRepair.widen(next);
      ScheduledExecutorService scheduler = housekeeping;
      if (next.attempts() > 0 && scheduler != null && !closed) {
        pendingRepair = next;
        log.debug("repair of the state failed, trying again: {}", failure.toString());
        try {
          var unused =
              scheduler.schedule(this::runRepair, REPAIR_RETRY.toMillis(), TimeUnit.MILLISECONDS);
          return;
        } catch (RejectedExecutionException closing) {
          // the gateway is closing
        }
      }
      pendingRepair = null;
      repairing = false;
    }
    if (!closed) {
      log.warn(
          "could not repair the state from history {} after lost replies: {}; values the lost"
              + " replies changed stay as they were until their actors report again",
          history.name(),
          failure.toString());
    }
  }

  /**
   * Why the gateway is not ready yet although its source is up ({@code /readyz}): it is still
   * rebuilding its state from the shared history. {@code null} when it is not catching up.
   */
  public String catchingUp() {
    StateRebuild running = rebuild;
    if (running == null || running.done()) {
      return null;
    }
    return "catching up: rebuilding the current state from history stream '"
        + history.name()
        + "' ("
        + running.repliesRead()
        + " replies read so far)";
  }

  /** {@link #subscribe(Map, ClientIdentity)} for an anonymous client of unknown address. */
  public Subscription subscribe(Map<String, List<String>> query) {
    return subscribe(query, ClientIdentity.anonymous("unknown"));
  }

  /**
   * Validates a client's query parameters and builds its filter chain: one filter per provider the
   * parameters name ({@code <name>=values} and {@code <name>.<option>=values}, see {@link
   * ReplyFilterProvider}). Parameters that name neither a filter nor one of the gateway's own
   * ({@link #RESERVED_PARAMETERS}) are ignored — a CLU client may send any URL — and the client is
   * told so in its first frame.
   *
   * @throws SubscriptionException when a parameter's value is invalid
   * @throws GatewayBusyException when the gateway serves its maximum of clients
   */
  public Subscription subscribe(Map<String, List<String>> query, ClientIdentity identity) {
    Admission.Permit permit = admission.tryAdmit();
    if (permit == null) {
      stats.connectionsRefused.increment();
      throw new GatewayBusyException(
          "the gateway serves its maximum of " + settings.maxConnections() + " clients");
    }
    try {
      return subscribe(query, identity, permit);
    } catch (RuntimeException e) {
      permit.release();
      throw e;
    }
  }

  private Subscription subscribe(
      Map<String, List<String>> query, ClientIdentity identity, Admission.Permit permit) {
    String clientId = "c" + clientIds.incrementAndGet();
    Map<String, List<String>> parameters = Subscription.normalize(query);
    Subscription.Options options =
        new Subscription.Options(
            single(parameters, SINCE),
            flag(parameters, SEQ),
            flag(parameters, SNAPSHOT),
            flag(parameters, ACKS),
            ownRepliesAlways(single(parameters, OWN_REPLIES)));
    policy(parameters); // a bad value is refused now, not at connect
    historySince(parameters);
    if (options.snapshot() && !hub.keepsState()) {
      throw new SubscriptionException(
          "invalid parameter 'snapshot': this gateway keeps no state (it runs with"
              + " --state-actors 0)");
    }
    List<String> unknown = new ArrayList<>();
    for (String parameter : parameters.keySet()) {
      String name = FilterRequest.nameOf(parameter);
      if (!RESERVED_PARAMETERS.contains(name)
          && filters.find(name).isEmpty()
          && !(history != null && name.equals(HISTORY))) {
        unknown.add(parameter);
      }
    }
    Map<String, FilterRequest> requested =
        FilterRequest.group(
            parameters,
            name -> !RESERVED_PARAMETERS.contains(name) && filters.find(name).isPresent());
    CommandTracker commands =
        new CommandTracker(settings.trackedCommands(), settings.commandExpiry().toNanos());
    FilterChain chain = buildChain(clientId, identity, requested, commands);
    if (!unknown.isEmpty()) {
      log.debug(
          "client {}: ignoring unknown parameters {}", clientId, LogText.of(unknown.toString()));
    }
    return new Subscription(
        clientId, identity, parameters, requested, unknown, chain, options, commands, permit);
  }

  /**
   * One filter per request, in order. (What the client's role may see is not a filter: {@link
   * Visibility} applies it to every frame.)
   *
   * @throws SubscriptionException when a provider rejects its values or fails
   */
  private FilterChain buildChain(
      String clientId,
      ClientIdentity identity,
      Map<String, FilterRequest> requested,
      CommandTracker commands) {
    List<ReplyFilter> chain = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (FilterRequest request : requested.values()) {
      ReplyFilterProvider provider = filters.find(request.name()).orElseThrow();
      FilterContext context = new ClientFilterContext(clientId, identity, request, commands);
      try {
        chain.add(Objects.requireNonNull(provider.create(context), "filter"));
        names.add(request.name());
      } catch (IllegalArgumentException e) {
        throw new SubscriptionException(
            "invalid parameter '" + request.name() + "': " + e.getMessage());
      } catch (RuntimeException | LinkageError e) {
        // A LinkageError: a plugin that uses what this gateway's SPI does not have.
        log.warn("filter provider '{}' failed to create a filter", request.name(), e);
        throw new SubscriptionException(
            "filter '" + request.name() + "' is not available: it failed on the server");
      }
    }
    return chain.isEmpty() ? FilterChain.acceptAll() : new FilterChain(chain, names, stats);
  }

  /** What a filter provider learns about the client it creates a filter for. */
  private final class ClientFilterContext implements FilterContext {
    private final String clientId;
    private final ClientIdentity identity;
    private final FilterRequest request;
    private final CommandTracker commands;

    ClientFilterContext(
        String clientId, ClientIdentity identity, FilterRequest request, CommandTracker commands) {
      this.clientId = clientId;
      this.identity = identity;
      this.request = request;
      this.commands = commands;
    }

    @Override
    public String clientId() {
      return clientId;
    }

    @Override
    public List<String> values() {
      return request.values();
    }

    @Override
    public Map<String, List<String>> options() {
      return request.options();
    }

    @Override
    public PluginSettings pluginSettings() {
      return filterSettings.getOrDefault(request.name(), PluginSettings.empty());
    }

    @Override
    public String gatewayName() {
      return settings.name();
    }

    @Override
    public ClientIdentity identity() {
      return identity;
    }

    @Override
    public boolean isOwnReply(Reply reply) {
      String commandId = reply.commandId();
      return commandId != null && commands.isOwn(reply.sender(), commandId);
    }
  }

  /**
   * Registers a client: from now on it receives the replies its subscription accepts. Before the
   * first live reply it receives, in this order: a warning naming parameters that named no filter,
   * the replies it missed ({@code since=}) and the current state ({@code snapshot=true}). A client
   * that connects while the gateway is closed is closed at once with 1001 and never registered.
   */
  private Outbox newOutbox(
      Subscription subscription, ClientTransport transport, Runnable onFailure) {
    Outbox outbox =
        new Outbox(
                transport,
                settings.outboxMaxFrames(),
                settings.outboxMaxBytes(),
                stats,
                onFailure,
                senders)
            // Room for one whole snapshot, which is never shed.
            .withHeadroom(
                settings.stateActors() + 1L,
                settings.stateActors() > 0 ? settings.stateBytes() : 0);
    if (policy(subscription.parameters()) == Outbox.Policy.LATEST) {
      return outbox.sheddingOldest(this::missedNotice);
    }
    return outbox.withPressure(hub.pressure());
  }

  /** The frame that tells a {@code policy=latest} client how many frames it missed. */
  private EncodedFrame missedNotice(Outbox.Missed missed) {
    ObjectNode body =
        codec
            .mapper()
            .createObjectNode()
            .put("missed", missed.count())
            .put("since_seq", missed.sinceSeq())
            .put(
                "text",
                "policy=latest: "
                    + missed.count()
                    + (missed.count() == 1 ? " frame" : " frames")
                    + " after reply "
                    + missed.sinceSeq()
                    + " dropped because this connection fell behind; reconnect with since="
                    + missed.sinceSeq()
                    + " to have them replayed");
    return codec.encode(codec.gatewayReply(MessageCode.WARNING, null, body), 0);
  }

  private static Outbox.Policy policy(Map<String, List<String>> parameters) {
    String value = single(parameters, POLICY);
    if (value == null) {
      return Outbox.Policy.COMPLETE;
    }
    Outbox.Policy policy = Outbox.Policy.named(value);
    if (policy == null) {
      throw new SubscriptionException(
          "invalid parameter 'policy': expected complete (the default) or latest");
    }
    return policy;
  }

  public ClientConnection connect(Subscription subscription, ClientTransport transport) {
    ClientConnection client =
        new ClientConnection(
            subscription,
            transport,
            onFailure -> newOutbox(subscription, transport, onFailure),
            visibilityOf(subscription.identity()),
            clientServices);
    Joins.Join join;
    synchronized (lifecycle) {
      if (closed) {
        client.close(GOING_AWAY, "server shutting down");
        return client;
      }
      if (subscription.permit() != null && !subscription.permit().confirm()) {
        // Its upgrade took so long that its permit was taken back, and the gateway is full again.
        stats.connectionsRefused.increment();
        client.close(TRY_AGAIN_LATER, "the gateway serves its maximum of clients");
        return client;
      }
      EncodedFrame warning =
          subscription.unknownParameters().isEmpty()
              ? null
              : unknownParametersWarning(subscription.unknownParameters());
      String since = subscription.since();
      if (resumesFromHistory(since)) {
        // Read on the history's thread; the client joins when the read ends (see HistoryResume).
        historyResume
            .read(client, since)
            .whenComplete(
                (plan, failure) ->
                    joinAfterHistory(
                        client,
                        subscription,
                        warning,
                        plan != null ? plan : failed(since, failure)));
        return client;
      }
      join = joins.join(client, warning, since, subscription.snapshot());
    }
    // Filtered, encoded and queued outside the gateway's and the hub's locks: other clients'
    // replies and other connects do not wait for this one's replay or snapshot.
    join.run();
    connected(client, subscription, transport.remoteAddress());
    return client;
  }

  /**
   * Whether a client's resume point is served from the shared history: a time, or a message id the
   * replay ring does not have, or has with replies lost after it (a reply number is this process's
   * own and never is).
   */
  private boolean resumesFromHistory(String since) {
    if (historyResume == null || since == null) {
      return false;
    }
    if (HistoryResume.timeOf(since) != null) {
      return true;
    }
    try {
      Long.parseLong(since);
      return false;
    } catch (NumberFormatException notANumber) {
      return !joins.ringHasEverythingSince(since);
    }
  }

  private HistoryResume.Plan failed(String since, Throwable failure) {
    log.warn("could not read the history to resume a client: {}", failure.toString());
    return new HistoryResume.Plan(
        List.of(),
        Set.of(),
        null,
        false,
        "the shared history "
            + history.name()
            + " could not be read, so what was missed since "
            + since
            + " is unknown");
  }

  /** The second half of a connect whose resume the history served, on the history's thread. */
  private void joinAfterHistory(
      ClientConnection client,
      Subscription subscription,
      EncodedFrame warning,
      HistoryResume.Plan plan) {
    try {
      Joins.Join join;
      synchronized (lifecycle) {
        if (closed) {
          client.close(GOING_AWAY, "server shutting down");
          return;
        }
        join = joins.join(client, warning, subscription.since(), subscription.snapshot(), plan);
      }
      join.run();
      connected(client, subscription, client.remoteAddress());
    } catch (RuntimeException e) {
      log.error("could not connect client {} after reading the history", client.id(), e);
      client.close();
    }
  }

  private void connected(ClientConnection client, Subscription subscription, String address) {
    Instant historyFrom = historySince(subscription.parameters());
    if (historyFrom != null && !client.isClosed()) {
      historyRequests.serve(
          client, historyFrom, List.of(), HistoryRequests.MAX_REPLIES, null, MessageCode.INFO);
    }
    stats.clientsConnected.increment();
    log.debug("client {} connected from {}", client.id(), address);
  }

  /**
   * The names of the installed filters, for messages: {@code "actors, codes"} or {@code "none"}.
   */
  private String installedFilters() {
    return filters.names().isEmpty() ? "none" : String.join(", ", filters.names());
  }

  private EncodedFrame unknownParametersWarning(List<String> unknown) {
    String message =
        (unknown.size() == 1
                ? "unknown parameter '" + unknown.get(0) + "': no filter of that name is installed"
                : "unknown parameters '"
                    + String.join("', '", unknown)
                    + "': no filters of those names are installed")
            + " (installed: "
            + installedFilters()
            + "); "
            + (unknown.size() == 1 ? "it is" : "they are")
            + " ignored";
    return codec.errorFrame(MessageCode.WARNING, null, message);
  }

  /** Stops forwarding, forgets every client and closes the source and the sink. Idempotent. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      closeQuietly();
      log.info("gateway {} stopped", settings.name());
    }
  }

  /** Once a second: expire command bookkeeping, close clients that stay too slow. */
  private void maintain() {
    long now = System.nanoTime();
    admission.reclaimStale(now, UPGRADE_TIMEOUT_NANOS);
    for (ClientConnection client : registry.clients()) {
      try {
        if (client.maintain(now)) {
          // A client that does not read cannot receive the close frame either: drop it soon.
          var unused =
              housekeeping.schedule(
                  () -> abortQuietly(client), ABORT_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        }
      } catch (RuntimeException e) {
        log.warn("housekeeping failed for client {}", client.id(), e);
      }
    }
  }

  private static void abortQuietly(ClientConnection client) {
    try {
      client.abort();
    } catch (RuntimeException e) {
      log.warn("aborting client {} failed", client.id(), e);
    }
  }

  /**
   * The first step of a graceful shutdown: stops receiving replies, then waits until every client's
   * outbox has been written out, or the timeout passes. Returns whether every outbox emptied in
   * time. Clients stay connected; commands still work.
   */
  public boolean quiesce(Duration timeout) {
    try {
      source.close();
    } catch (RuntimeException e) {
      log.warn("closing the message source failed", e);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean idle = true;
      for (ClientConnection client : registry.clients()) {
        if (!client.outbox().isIdle()) {
          idle = false;
          break;
        }
      }
      if (idle) {
        return true;
      }
      if (System.nanoTime() - deadline > 0) {
        log.info("shutting down with frames still queued for slow clients");
        return false;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  private static ExecutorService newSenders(String name) {
    AtomicLong count = new AtomicLong();
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, "clu-ws-send-" + name + "-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  private void closeQuietly() {
    if (housekeeping != null) {
      housekeeping.shutdownNow();
    }
    if (history != null) {
      try {
        history.close();
      } catch (RuntimeException e) {
        log.warn("closing the history failed", e);
      }
    }
    if (ownSenders != null) {
      ownSenders.shutdown();
    }
    for (ClientConnection client : registry.clients()) {
      client.close();
    }
    try {
      source.close();
    } catch (RuntimeException e) {
      log.warn("closing the message source failed", e);
    }
    try {
      sink.close();
    } catch (RuntimeException e) {
      log.warn("closing the command sink failed", e);
    }
  }

  public String name() {
    return settings.name();
  }

  /**
   * The time a {@code history=} parameter asks for ({@code <minutes>} or an ISO-8601 time), or
   * {@code null} without one (or without a shared history, when it is just an unknown parameter).
   *
   * @throws SubscriptionException for a value that is neither
   */
  private Instant historySince(Map<String, List<String>> parameters) {
    String value = history == null ? null : single(parameters, HISTORY);
    if (value == null) {
      return null;
    }
    Instant at = ControlFrames.parseTime(value);
    if (at != null) {
      return at;
    }
    try {
      double minutes = Double.parseDouble(value);
      if (minutes > 0 && minutes <= 525_600) {
        return Instant.now().minusMillis(Math.round(minutes * 60_000));
      }
    } catch (NumberFormatException notANumber) {
      // said below
    }
    throw new SubscriptionException(
        "invalid parameter 'history': expected the last n minutes (history=10) or an ISO-8601"
            + " time with a zone (history=2026-12-07T03:00:00Z)");
  }

  public GatewaySettings settings() {
    return settings;
  }

  public GatewayStats stats() {
    return stats;
  }

  public SourceState sourceState() {
    return source.state();
  }

  /**
   * Whether commands can be published now: the command sink's connection is up. It recovers from a
   * broker cut on its own, possibly a moment after the message source ({@link #sourceState()}).
   */
  public boolean commandsConnected() {
    return sink.isConnected();
  }

  public Hub hub() {
    return hub;
  }

  /** The clients connected now (the {@code clients} gauge). */
  public int clientCount() {
    return hub.clientCount();
  }

  /** The replies kept for clients that reconnect with {@code since=} (a gauge). */
  public int replayableCount() {
    return hub.replayableCount();
  }

  /** The actors whose latest keywords the state store keeps for snapshots (a gauge). */
  public int stateActors() {
    return hub.stateActors();
  }

  /** The bytes the state store holds (a gauge). */
  public long stateBytes() {
    return hub.stateBytes();
  }

  /** The actors the state store evicted to stay within its bounds, since the start (a counter). */
  public long stateActorsEvicted() {
    return hub.stateActorsEvicted();
  }

  /**
   * The keywords the state store evicted to stay within its bounds, since the start (a counter).
   */
  public long stateKeywordsEvicted() {
    return hub.stateKeywordsEvicted();
  }

  public FrameCodec codec() {
    return codec;
  }

  /** What a client of this identity may see, under the gateway's access policy. */
  public Visibility visibilityOf(ClientIdentity identity) {
    return Visibility.of(accessPolicy, identity);
  }

  public CommandGate gate() {
    return gate;
  }

  /** The filter providers found, by name. */
  public ProviderCatalog<ReplyFilterProvider> filterProviders() {
    return filters;
  }

  /** The value of {@code own_replies}: {@code always}, or {@code filtered} (the default). */
  public static boolean ownRepliesAlways(String value) {
    if (value == null || value.equals("filtered")) {
      return false;
    }
    if (value.equals("always")) {
      return true;
    }
    throw new SubscriptionException(
        "invalid parameter '" + OWN_REPLIES + "': expected always or filtered");
  }

  /** The connection limit and the permits out under it. */
  public Admission admission() {
    return admission;
  }

  /** A true/false parameter; given without a value ({@code ?snapshot}) it means true. */
  private static boolean flag(Map<String, List<String>> parameters, String name) {
    List<String> values = parameters.get(name);
    if (values != null && values.isEmpty()) {
      return true;
    }
    String value = single(parameters, name);
    if (value != null && !value.equals("true") && !value.equals("false")) {
      throw new SubscriptionException("invalid parameter '" + name + "': expected true or false");
    }
    return "true".equals(value);
  }

  private static String single(Map<String, List<String>> parameters, String name) {
    List<String> values = parameters.get(name);
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw new SubscriptionException("parameter '" + name + "' takes one value");
    }
    return values.get(0);
  }

  /** Builds a {@link Gateway}. Only {@link #settings(Object)} is usually needed. */
  public static final class Builder {
    private GatewaySettings settings = GatewaySettings.defaults();
    private final Map<Class<?>, Object> settingsObjects = new LinkedHashMap<>();
    private JsonMapper mapper;
    private MessageSource source;
    private CommandSink sink;
    private ProviderCatalog<ReplyFilterProvider> filters;
    private ProviderCatalog<MessageSourceProvider> sources;
    private ProviderCatalog<CommandSinkProvider> sinks;
    private ClassLoader classLoader = Gateway.class.getClassLoader();
    private PluginConfiguration plugins = PluginConfiguration.empty();
    private AccessPolicy accessPolicy = AccessPolicy.ALLOW_ALL;
    private Executor sendExecutor;
    private ReplyHistory history;

    private Builder() {}

    /**
     * A shared history (for clu-ws-amqp: {@code dev.cluws.amqp.history.StreamHistory}): the state
     * is rebuilt from it at start, and clients may ask it for history. Started and closed with the
     * gateway.
     */
    public Builder history(ReplyHistory replyHistory) {
      this.history = replyHistory;
      return this;
    }

    public Builder gatewaySettings(GatewaySettings gatewaySettings) {
      this.settings = Objects.requireNonNull(gatewaySettings, "gatewaySettings");
      return this;
    }

    /** Shorthand for {@code gatewaySettings(settings.withName(name))}. */
    public Builder name(String name) {
      this.settings = settings.withName(name);
      return this;
    }

    /**
     * Supplies a settings object to the providers (e.g. {@code AmqpSettings}); a provider looks up
     * its own type with {@link ProviderContext#settings(Class)}.
     */
    public Builder settings(Object settingsObject) {
      settingsObjects.put(settingsObject.getClass(), settingsObject);
      return this;
    }

    /**
     * The gateway's JSON mapper (default: {@link JsonMappers#newMapper()}). Providers get immutable
     * readers and writers made from it, never the mapper itself.
     */
    public Builder mapper(JsonMapper jsonMapper) {
      this.mapper = jsonMapper;
      return this;
    }

    /** Uses this source instead of one from a provider. */
    public Builder source(MessageSource messageSource) {
      this.source = messageSource;
      return this;
    }

    /** Uses this sink instead of one from a provider. */
    public Builder sink(CommandSink commandSink) {
      this.sink = commandSink;
      return this;
    }

    /**
     * Where clients' frames are written to their websockets (default: the gateway's own pool of one
     * thread per core, closed with the gateway, except that the first frames of a reply that
     * follows a pause are written on the delivering thread, see {@link FanOutSenders}). {@link
     * Outbox#DIRECT} writes on the thread that fans out, which suits tests that check delivery
     * synchronously.
     */
    public Builder sendExecutor(Executor executor) {
      this.sendExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Who may send which commands and see which replies (default: everyone, everything). */
    public Builder accessPolicy(AccessPolicy policy) {
      this.accessPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Selects the source from these providers instead of the ones on the class path (ignored with
     * {@link #source}).
     */
    public Builder sourceProviders(ProviderCatalog<MessageSourceProvider> catalog) {
      this.sources = catalog;
      return this;
    }

    /**
     * Selects the sink from these providers instead of the ones on the class path (ignored with
     * {@link #sink}).
     */
    public Builder sinkProviders(ProviderCatalog<CommandSinkProvider> catalog) {
      this.sinks = catalog;
      return this;
    }

    /** Uses these filter providers instead of the ones on the class path. */
    public Builder filterProviders(ProviderCatalog<ReplyFilterProvider> catalog) {
      this.filters = catalog;
      return this;
    }

    /**
     * The values the operator gave the providers' settings (default: none, so every setting has its
     * default). {@link #build()} checks them against the providers found and throws {@link
     * PluginConfiguration.InvalidSettingException} for a value of a provider or a key that does not
     * exist, or of the wrong type. Values for sources and sinks are checked only when they come
     * from providers (not {@link #source}, {@link #sink}).
     */
    public Builder pluginConfiguration(PluginConfiguration configuration) {
      this.plugins = Objects.requireNonNull(configuration, "configuration");
      return this;
    }

    /** The class loader providers are looked up in (default: the one that loaded clu-ws-core). */
    public Builder classLoader(ClassLoader loader) {
      this.classLoader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /** Creates the gateway; opens no connection (see {@link Gateway#start()}). */
    public Gateway build() {
      if (mapper == null) {
        mapper = JsonMappers.newMapper();
      }
      return new Gateway(this);
    }
  }

  private static final class SimpleProviderContext implements ProviderContext {
    private final String name;
    private final Map<Class<?>, Object> settings;
    private final ObjectReader reader;
    private final ObjectWriter writer;
    private final PluginSettings pluginSettings;

    @Override
    public PluginSettings pluginSettings() {
      return pluginSettings;
    }

    SimpleProviderContext(
        String name,
        Map<Class<?>, Object> settings,
        JsonMapper mapper,
        PluginSettings pluginSettings) {
      this.name = name;
      this.settings = Map.copyOf(settings);
      this.pluginSettings = pluginSettings;
      this.reader = mapper.reader();
      this.writer = mapper.writer();
    }

    @Override
    public ObjectReader jsonReader() {
      return reader;
    }

    @Override
    public ObjectWriter jsonWriter() {
      return writer;
    }

    @Override
    public String gatewayName() {
      return name;
    }

    @Override
    public <T> Optional<T> settings(Class<T> type) {
      Object value = settings.get(type);
      return value == null ? Optional.empty() : Optional.of(type.cast(value));
    }
  }
}
