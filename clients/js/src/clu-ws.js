// clu-ws client: commands as promises, the reply stream, subscriptions and reconnection for
// clu-ws (and, without the clu-ws extras, CLU's own `clu websocket`).
// An ES module without dependencies, for browsers and Node >= 20 (Node 20 needs
// --experimental-websocket, or a WebSocket implementation passed as options.WebSocket).
// Types: clu-ws.d.ts beside this file.

/** Message codes that end a command: done and failed. */
const DONE = ':';
const FAILED = 'f';
/** WebSocket.OPEN, the readyState of an open socket. */
const OPEN = 1;
/** The close code of a client the gateway closed for reading too slowly (with its resume point). */
const SLOW_CLIENT = 4001;

/** Connection states reported to onState listeners. */
export const States = Object.freeze({
  CONNECTING: 'connecting',
  OPEN: 'open',
  RECONNECTING: 'reconnecting',
  CLOSED: 'closed',
});

/** Query parameters that are not filters (the gateway reserves them). */
const RESERVED = new Set(['since', 'seq', 'snapshot', 'acks', 'token', 'own_replies', 'policy']);

/** The filters a subscription handle may use: the gateway's built-in ones, matched here too. */
const HANDLE_FILTERS = new Set(['actors', 'codes', 'keywords', 'internal', 'routing', 'own', 'own.broadcasts']);
/** Handle options that are not filters. */
const HANDLE_OPTIONS = new Set(['snapshot', 'gateway', 'match']);

/** Characters of an HTTP token (RFC 9110), the only ones a websocket subprotocol may have. */
const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const DEFAULTS = Object.freeze({
  reconnect: true,
  initialDelay: 500, // ms before the first reconnect attempt
  maxDelay: 30_000, // bound of the exponential backoff
  factor: 2,
  jitter: 0.5, // the delay is drawn from [d * (1 - jitter), d]
  maxAttempts: Infinity, // consecutive failed attempts before giving up (state 'closed')
  stableAfter: 5_000, // a connection open this long resets the backoff
  resume: true, // ?seq=true, and ?since=<last message_id> on reconnect
  maxQueued: 256, // frames kept while not connected; more are refused
  commandTimeout: 0, // ms; 0: a command waits for its ':' or 'f' as long as it takes
  controlTimeout: 10_000, // ms to wait for the gateway's answer to a control frame
  tokenIn: 'protocol', // 'protocol': Sec-WebSocket-Protocol bearer.<token>; 'query': ?token=
  ownReplies: 'always', // own_replies=always: replies to this client's commands pass its filters
});

/**
 * Raised (as a promise rejection) when a command fails, a control frame is refused, or the
 * client cannot deliver a frame. `replies` holds every reply received for it, `error` the
 * gateway's or actor's error text, `commandId` its id, `kind` why it ended:
 * 'failed' (an `f` reply), 'refused' (the gateway's `e`), 'unknown' (its outcome is unknown: the
 * connection or the gateway's replies were lost), 'timeout', 'aborted', 'closed' (the client
 * closed) or 'unsent' (it could not be sent).
 */
export class CommandError extends Error {
  constructor(
    message,
    { commandId = null, replies = [], error = message, frame = null, kind = 'failed', cause } = {},
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'CommandError';
    this.commandId = commandId;
    this.replies = replies;
    this.error = error;
    this.frame = frame;
    this.kind = kind;
  }
}

/**
 * The websocket URL for `url` with the query parameters clu-ws reads: `filters` (an object of
 * filter name to value: string, array of strings, boolean or number; `name.option` keys are
 * filter options), and the reserved `seq`, `since`, `snapshot`, `acks`, `token`, `ownReplies`
 * (`own_replies`), `policy`. Parameters already in `url` are kept unless named again.
 */
export function buildUrl(url, { filters = {}, seq, since, snapshot, acks, token, ownReplies, policy } = {}) {
  const base = typeof location !== 'undefined' ? location.href : undefined;
  const u = new URL(String(url), base);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.protocol === 'https:') u.protocol = 'wss:';
  for (const [name, value] of Object.entries(filters ?? {})) {
    if (RESERVED.has(name)) {
      throw new TypeError(`'${name}' is not a filter (it is a reserved parameter)`);
    }
    if (value === undefined || value === null) {
      u.searchParams.delete(name);
    } else {
      u.searchParams.set(name, paramValue(value));
    }
  }
  const reserved = { seq, since, snapshot, acks, token, own_replies: ownReplies, policy };
  for (const [name, value] of Object.entries(reserved)) {
    if (value !== undefined && value !== null && value !== false) {
      u.searchParams.set(name, paramValue(value));
    }
  }
  return u.toString();
}

function paramValue(value) {
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}

/** A new command id (a uuid4 string, as CLU makes). */
export function newCommandId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  // Insecure contexts (plain http on a non-loopback host) have no randomUUID.
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether a frame was made by the gateway itself (it never crossed the exchange). */
export function isGatewayFrame(frame) {
  return frame?.exchange === '' && frame?.routing_key === '';
}

/** The text of an error reply: body.error, else body.text, else the body as JSON. */
export function errorText(frame) {
  const body = frame?.body;
  if (body && typeof body === 'object') {
    if (typeof body.error === 'string') return body.error;
    if (typeof body.text === 'string') return body.text;
    return JSON.stringify(body);
  }
  return String(body ?? 'no reply body');
}

/**
 * Reads the resume point from the reason of a slow-client close (code 4001):
 * `too slow; seq=<n>; message_id=<id>` (`-` for none). Returns `{seq, messageId}` (null where the
 * gateway gave none), or null when the reason is not of that shape.
 */
export function parseSlowClose(reason) {
  const match = /^too slow; seq=(\d+|-); message_id=(\S+)$/.exec(String(reason ?? ''));
  if (!match) return null;
  return {
    seq: match[1] === '-' ? null : Number(match[1]),
    messageId: match[2] === '-' ? null : match[2],
  };
}

/**
 * A close code and reason in words, for people: `the gateway closed the connection: server
 * shutting down (1001)`. options: `opened` (default true) whether the connection had been open (a
 * 1006 before that means the gateway could not be reached); `withCode` (default true) appends the
 * code, for logs and error messages. The web console uses it (without the code) too.
 */
export function describeClose({ code, reason } = {}, { opened = true, withCode = true } = {}) {
  const why = typeof reason === 'string' ? reason.trim() : '';
  const hasCode = code !== undefined && code !== null;
  let words;
  if (!hasCode || code === 1006) {
    if (!opened) words = 'could not reach the gateway';
    else words = why && why !== 'the connection failed' ? `the connection was lost: ${why}` : 'the connection was lost';
  } else if (code === 1000 && why === 'client closed') {
    words = 'this client closed the connection';
  } else if (code === 1000 || code === 1001) {
    words = why ? `the gateway closed the connection: ${why}` : CLOSE_WORDS[code];
  } else if (code === SLOW_CLIENT) {
    // The reason carries the resume point (`too slow; seq=…; message_id=…`), not for people.
    words = CLOSE_WORDS[SLOW_CLIENT];
  } else {
    words = CLOSE_WORDS[code]
      ?? (code >= 4000 ? 'the gateway closed the connection' : 'the connection closed');
    if (!CLOSE_WORDS[code] && !withCode) words += ` (code ${code})`;
    if (why) words += `: ${why}`;
  }
  return withCode && hasCode ? `${words} (${code})` : words;
}

/** Close codes the gateway, a proxy or the browser use, in words (RFC 6455 and clu-ws's 4xxx). */
const CLOSE_WORDS = {
  1000: 'the gateway closed the connection',
  1001: 'the gateway is going away',
  1002: 'the gateway saw a protocol error',
  1003: 'the gateway refused a frame it cannot take',
  1005: 'the connection closed without a reason',
  1006: 'the connection was lost',
  1007: 'the gateway refused a frame that is not UTF-8',
  1008: 'the gateway closed the connection (policy)',
  1009: 'a frame was too large for the gateway',
  1010: 'the gateway lacks an extension the client needs',
  1011: 'the gateway hit an unexpected condition',
  1012: 'the gateway is restarting',
  1013: 'the gateway is overloaded; try again later',
  1014: 'a proxy got a bad answer from the gateway',
  1015: 'the TLS handshake failed',
  [SLOW_CLIENT]: 'the gateway closed this client for reading too slowly',
};

/**
 * Opens a connection to a clu-ws gateway (or a CLU `clu websocket` server) and returns the client.
 *
 * options: WebSocket (implementation; default globalThis.WebSocket), filters (connect-time
 * subscription), snapshot, acks, policy, token, getToken, tokenIn, ownReplies, reconnect,
 * initialDelay, maxDelay, factor, jitter, maxAttempts, stableAfter, resume, maxQueued,
 * commandTimeout, controlTimeout.
 */
export function connect(url, options = {}) {
  return new CluWsClient(url, options);
}

/**
 * One subscription of a client: its own filters and listener. Made by
 * `client.subscribe(filters, onReply)`; several on one connection share one gateway subscription
 * (the union of what they ask for), and each sees only what its filters accept.
 */
export class Subscription {
  #client;
  #remove;
  #spec;
  #active = true;
  /** @internal */
  constructor(client, spec, remove) {
    this.#client = client;
    this.#spec = spec;
    this.#remove = remove;
    this.ready = new Promise((resolve, reject) => {
      spec.settle = { resolve, reject };
    });
    // Nobody has to wait for `ready`: a refusal also ends the handle (see `active`).
    this.ready.catch(() => {});
  }

  /** The filters and options this handle was made with. */
  get filters() {
    return this.#spec.filters;
  }

  /** False once unsubscribed, or when the gateway refused the filters or the client closed. */
  get active() {
    return this.#active;
  }

  /** The client this handle belongs to. */
  get client() {
    return this.#client;
  }

  /**
   * Stops this handle's listener at once and narrows the gateway subscription to what the other
   * handles need. Resolves when the gateway has the new subscription (never rejects).
   */
  unsubscribe() {
    if (!this.#active) return Promise.resolve();
    this.#active = false;
    return this.#remove();
  }

  /** @internal */
  end() {
    this.#active = false;
  }
}

/** A connection to a gateway that reconnects by itself until `close()`. */
export class CluWsClient {
  #url;
  #opts;
  #WebSocket;
  #ws = null;
  #state = States.CONNECTING;
  #replyListeners = new Set();
  #stateListeners = new Set();
  #pending = new Map(); // command_id -> entry {kind, consumer, replies, resolve, reject, timer, connection, ...}
  #queue = []; // {text, entry} waiting for an open socket
  #subscription; // the connection-level filters (options.filters, subscribe(filters) without a listener)
  #handles = new Set(); // internal specs of the active Subscription handles
  #wire = {}; // the filters the gateway has now (normalized: name -> string)
  #wireVersion = 0; // bumped on every change of the handles
  #appliedVersion = 0; // the version the gateway has
  #syncing = null; // the running wire synchronisation, or null
  #snapshotRoutes = new Map(); // snapshot request id -> handle spec
  #attempt = 0;
  #openedAt = 0;
  #timer = null;
  #opening = 0; // counts open attempts, to drop the result of a stale getToken()
  #lastSeq = null;
  #lastMessageId = null; // of the last actor reply received
  #instance = null; // the gateway's name (sender of its own frames) on the latest connection
  #slow = null; // resume point from the latest 4001 close
  #connection = 0; // counts sockets, to know which pending commands a drop concerns
  #resuming = false;
  #resumeTimer = null;
  #resumedInstance = null;
  #socketUrl = null;
  #closed = false;
  #ownRepliesIgnored = false;

  constructor(url, options = {}) {
    this.#url = url;
    this.#opts = { ...DEFAULTS, ...options };
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this.#WebSocket !== 'function') {
      throw new TypeError(
        'no WebSocket implementation: pass options.WebSocket (Node 20: run with --experimental-websocket)',
      );
    }
    if (this.#opts.tokenIn !== 'protocol' && this.#opts.tokenIn !== 'query') {
      throw new TypeError(`tokenIn must be 'protocol' or 'query', not '${this.#opts.tokenIn}'`);
    }
    if (options.getToken !== undefined && typeof options.getToken !== 'function') {
      throw new TypeError('getToken must be a function returning a token or a promise of one');
    }
    this.#subscription = { ...(options.filters ?? {}) };
    buildUrl(url, { filters: this.#subscription }); // throws early on a bad URL or filter name
    this.#open();
  }

  /** The connection state: 'connecting', 'open', 'reconnecting' or 'closed'. */
  get state() {
    return this.#state;
  }

  /** The connection-level filters (connect-time filters updated by subscribe/unsubscribe answers). */
  get subscription() {
    return { ...this.#subscription };
  }

  /** The URL of the latest connection (with the subscription and resume point it used). */
  get url() {
    return this.#socketUrl;
  }

  /**
   * False once the gateway said it does not know `own_replies` (a gateway older than that
   * option): its filters then apply to the replies of this client's commands too.
   */
  get ownRepliesHonoured() {
    return this.#opts.ownReplies === 'always' && !this.#ownRepliesIgnored;
  }

  /** The subscription handles in use. */
  get subscriptions() {
    return [...this.#handles].map((spec) => spec.handle);
  }

  /**
   * Calls `callback(frame)` for every frame received (actor replies and the gateway's own
   * frames, parsed). Returns a function that removes the callback.
   */
  onReply(callback) {
    this.#replyListeners.add(callback);
    return () => this.#replyListeners.delete(callback);
  }

  /**
   * Calls `callback(state, detail)` now with the current state and then on every change; detail
   * has `code` and `reason` of the close, `attempt` and `delay` when reconnecting, `text` (the
   * close in words) and `slow` (the resume point of a slow-client close). Returns a function that
   * removes the callback.
   */
  onState(callback) {
    this.#stateListeners.add(callback);
    safeCall(callback, this.#state, {});
    return () => this.#stateListeners.delete(callback);
  }

  /** Resolves when the connection is open (at once if it is); rejects if the client closes. */
  ready() {
    if (this.#state === States.OPEN) return Promise.resolve(this);
    if (this.#state === States.CLOSED) return Promise.reject(new Error('the client is closed'));
    return new Promise((resolve, reject) => {
      const off = this.onState((state, detail) => {
        if (state === States.OPEN) {
          off();
          resolve(this);
        } else if (state === States.CLOSED) {
          off();
          reject(new Error(`the connection closed: ${describeClose(detail)}`));
        }
      });
    });
  }

  /**
   * Sends `commandString` to the actor `consumer`. Resolves with every reply to it (in order)
   * when its `:` arrives; rejects with a CommandError (its replies, error text and kind) on `f`,
   * on an error frame from the gateway naming it, on a timeout, on abort, or when its outcome
   * became unknown. options: commandId, timeout (ms), signal (an AbortSignal).
   */
  command(consumer, commandString, { commandId = newCommandId(), timeout, signal } = {}) {
    if (typeof consumer !== 'string' || consumer === '') {
      return Promise.reject(new TypeError('consumer must be a non-empty string'));
    }
    if (typeof commandString !== 'string' || commandString.trim() === '') {
      return Promise.reject(new TypeError('commandString must be a non-empty string'));
    }
    const frame = { consumer, command_string: commandString, command_id: String(commandId) };
    return this.#request('command', frame, timeout ?? this.#opts.commandTimeout, signal);
  }

  /**
   * Two forms.
   *
   * `subscribe(filters, onReply, {signal})` returns a Subscription handle: `onReply(frame)` is
   * called for every frame its filters (`actors`, `codes`, `keywords`, `internal`, `routing`,
   * `own`, `own.broadcasts`, and `match`, a predicate) accept; `snapshot: true` also delivers the
   * current state of its actors; `gateway: true` also the gateway's own notices. The gateway
   * subscription becomes the union of what every handle asks for; `handle.ready` resolves once
   * the gateway has it, `handle.unsubscribe()` ends it.
   *
   * `subscribe(filters)` adds or replaces filters of the connection itself (clu-ws control
   * frame), e.g. `{actors: 'lvmecp,lvm*', codes: ':f'}`: they narrow every listener. Resolves
   * with the gateway's answer body; rejects with its error (nothing is then changed).
   */
  subscribe(filters, onReply, options = {}) {
    if (typeof onReply === 'function') return this.#addHandle(filters, onReply, options);
    if (onReply !== undefined) {
      throw new TypeError('onReply must be a function (or left out to change the connection filters)');
    }
    return this.#subscribeConnection(filters);
  }

  async #subscribeConnection(filters) {
    if (!filters || typeof filters !== 'object' || Array.isArray(filters)) {
      throw new TypeError('filters must be an object of filter name to value');
    }
    const values = { ...filters };
    for (const name of Object.keys(values)) {
      if (RESERVED.has(name)) throw new TypeError(`'${name}' is not a filter`);
    }
    const replies = await this.#control({ control: 'subscribe', filters: values });
    Object.assign(this.#subscription, values);
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined || value === null) delete this.#wire[name];
      else this.#wire[name] = paramValue(value);
    }
    this.#scheduleSync();
    return replies[replies.length - 1].body;
  }

  /**
   * Removes the named connection-level filters (and their `name.option` options), or all of them
   * when `names` is omitted. Resolves with the gateway's answer body. (A Subscription handle ends
   * with its own `unsubscribe()`.)
   */
  async unsubscribe(names) {
    const frame = { control: 'unsubscribe' };
    if (names !== undefined) frame.filters = Array.isArray(names) ? names.map(String) : [String(names)];
    const replies = await this.#control(frame);
    const removed = (key) =>
      names === undefined || frame.filters.some((name) => key === name || key.startsWith(`${name}.`));
    for (const key of Object.keys(this.#subscription)) if (removed(key)) delete this.#subscription[key];
    for (const key of Object.keys(this.#wire)) if (removed(key)) delete this.#wire[key];
    this.#scheduleSync();
    return replies[replies.length - 1].body;
  }

  /**
   * Asks for the current-state snapshot (optionally of some actors, `*` wildcards allowed).
   * Resolves with `{frames, answer}`: one snapshot frame per actor (body: keyword -> latest
   * value) and the gateway's closing answer body. The frames also reach onReply listeners.
   */
  async snapshot(actors) {
    const replies = await this.#requestSnapshot(actors);
    const answer = replies[replies.length - 1];
    return { frames: replies.slice(0, -1), answer: answer.body };
  }

  /**
   * Sends a frame as is (an object is sent as JSON), for frames this client has no helper for.
   * Queued while the connection is not open.
   */
  send(frame) {
    this.#enqueue(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Closes the connection for good; unfinished commands are rejected, handles end. */
  close(code = 1000, reason = 'client closed') {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = null;
    clearTimeout(this.#resumeTimer);
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      detach(ws);
      try {
        ws.close(code, reason);
      } catch {
        // already closing
      }
    }
    this.#failAll('the client was closed before the command finished', () => true, 'closed');
    this.#queue.length = 0;
    this.#endHandles(new Error('the client is closed'));
    this.#setState(States.CLOSED, { code, reason, text: describeClose({ code, reason }) });
  }

  // --- subscription handles -----------------------------------------------------------------

  #addHandle(filters, onReply, { signal } = {}) {
    const spec = compileHandle(filters);
    spec.onReply = onReply;
    spec.version = ++this.#wireVersion;
    spec.handle = new Subscription(this, spec, () => this.#removeHandle(spec));
    if (this.#closed) {
      spec.handle.end();
      spec.settle.reject(new Error('the client is closed'));
      return spec.handle;
    }
    if (signal?.aborted) {
      spec.handle.end();
      spec.settle.reject(abortError(signal, 'the subscription was aborted'));
      return spec.handle;
    }
    signal?.addEventListener('abort', () => spec.handle.unsubscribe(), { once: true });
    this.#handles.add(spec);
    if (spec.snapshot) {
      spec.handle.ready.then(() => this.#handleSnapshot(spec), () => {});
    }
    this.#scheduleSync();
    return spec.handle;
  }

  #removeHandle(spec) {
    if (!this.#handles.delete(spec)) return Promise.resolve();
    spec.settle.reject(new Error('unsubscribed before the gateway had the subscription'));
    this.#wireVersion++;
    return this.#scheduleSync();
  }

  #endHandles(error) {
    for (const spec of this.#handles) {
      spec.handle.end();
      spec.settle.reject(error);
    }
    this.#handles.clear();
  }

  #handleSnapshot(spec) {
    if (!this.#handles.has(spec) || this.#closed) return;
    spec.snapshotted = true;
    const id = newCommandId();
    this.#snapshotRoutes.set(id, spec);
    this.#requestSnapshot(spec.actors ?? undefined, id)
      .catch(() => {}) // the gateway's refusal reached the listeners as a frame
      .finally(() => this.#snapshotRoutes.delete(id));
  }

  /** The filters the gateway should apply: the connection's, then the union of the handles'. */
  #desiredWire() {
    const wire = {};
    for (const [name, value] of Object.entries(this.#subscription)) {
      if (value !== undefined && value !== null) wire[name] = paramValue(value);
    }
    if (this.#handles.size === 0) return wire;
    const connectionFamilies = new Set(Object.keys(wire).map((key) => key.split('.')[0]));
    for (const [name, value] of Object.entries(unionOf([...this.#handles]))) {
      if (!connectionFamilies.has(name.split('.')[0])) wire[name] = value;
    }
    return wire;
  }

  /** Brings the gateway's subscription to what the handles need; resolves when done. */
  #scheduleSync() {
    if (this.#syncing) {
      this.#syncing.again = true;
      return this.#syncing.promise;
    }
    const run = { again: false, promise: null };
    this.#syncing = run;
    run.promise = (async () => {
      try {
        for (let round = 0; round < 100; round++) {
          run.again = false;
          await this.#syncOnce();
          if (!run.again) break;
        }
      } finally {
        this.#syncing = null;
      }
    })();
    return run.promise;
  }

  async #syncOnce() {
    if (this.#closed || this.#state !== States.OPEN) return; // the next connection's URL has it
    const version = this.#wireVersion;
    const desired = this.#desiredWire();
    const changed = {};
    for (const [name, value] of Object.entries(desired)) {
      if (this.#wire[name] !== value) changed[name] = value;
    }
    const removed = Object.keys(this.#wire).filter((name) => !(name in desired));
    try {
      if (Object.keys(changed).length > 0) {
        await this.#control({ control: 'subscribe', filters: changed });
        Object.assign(this.#wire, changed);
      }
      if (removed.length > 0) {
        await this.#control({ control: 'unsubscribe', filters: removed });
        for (const name of removed) delete this.#wire[name];
      }
      this.#applied(version);
    } catch (error) {
      if (error?.kind !== 'refused' && error?.kind !== 'failed') return; // connection: retried at open
      // The gateway refused the union: the handles added since it last agreed are to blame.
      for (const spec of [...this.#handles]) {
        if (spec.version > this.#appliedVersion) {
          this.#handles.delete(spec);
          spec.handle.end();
          spec.settle.reject(error);
        }
      }
      this.#wireVersion++;
      if (this.#syncing) this.#syncing.again = true;
    }
  }

  #applied(version) {
    this.#appliedVersion = Math.max(this.#appliedVersion, version);
    for (const spec of this.#handles) {
      if (spec.version <= this.#appliedVersion) spec.settle.resolve();
    }
  }

  // --- internals ----------------------------------------------------------------------------

  #requestSnapshot(actors, id = newCommandId()) {
    const frame = { control: 'snapshot' };
    if (actors !== undefined) frame.actors = Array.isArray(actors) ? actors.map(String) : [String(actors)];
    frame.command_id = id;
    return this.#request('snapshot', frame, this.#opts.controlTimeout);
  }

  #control(frame) {
    frame.command_id = newCommandId();
    return this.#request('control', frame, this.#opts.controlTimeout);
  }

  #request(kind, frame, timeout, signal) {
    const id = frame.command_id;
    if (this.#closed) {
      return Promise.reject(new CommandError('the client is closed', { commandId: id, kind: 'unsent' }));
    }
    if (this.#pending.has(id)) {
      return Promise.reject(
        new CommandError(`command id '${id}' is already in use`, { commandId: id, kind: 'unsent' }),
      );
    }
    if (signal?.aborted) {
      return Promise.reject(
        new CommandError(`aborted before it was sent: ${reasonText(signal.reason)}`, {
          commandId: id,
          kind: 'aborted',
          cause: signal.reason,
        }),
      );
    }
    return new Promise((resolve, reject) => {
      const entry = {
        kind,
        consumer: frame.consumer ?? null,
        replies: [],
        resolve,
        reject,
        timer: null,
        connection: -1,
        cleanup: null,
      };
      const what = kind === 'command' ? `'${frame.command_string}' to ${frame.consumer}` : 'the control frame';
      if (timeout > 0) {
        entry.timer = setTimeout(() => {
          const sent = entry.connection !== -1;
          this.#unqueue(entry);
          this.#finish(
            id,
            new CommandError(
              kind === 'command'
                ? `no final reply to ${what} within ${timeout} ms${sent ? ' (the actor may still run it)' : ' (it was never sent)'}`
                : `no answer from the gateway within ${timeout} ms`,
              { commandId: id, replies: entry.replies, kind: 'timeout' },
            ),
          );
        }, timeout);
      }
      if (signal) {
        const onAbort = () => {
          const sent = entry.connection !== -1;
          this.#unqueue(entry);
          this.#finish(
            id,
            new CommandError(
              sent
                ? `aborted: ${reasonText(signal.reason)} (it was sent: the actor may still run it; its replies are no longer awaited)`
                : `aborted before it was sent: ${reasonText(signal.reason)}`,
              { commandId: id, replies: entry.replies, kind: 'aborted', cause: signal.reason },
            ),
          );
        };
        signal.addEventListener('abort', onAbort, { once: true });
        entry.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.#pending.set(id, entry);
      try {
        this.#enqueue(JSON.stringify(frame), entry);
      } catch (e) {
        this.#finish(id, new CommandError(e.message, { commandId: id, kind: 'unsent' }));
      }
    });
  }

  #enqueue(text, entry) {
    // A socket that is closing (its close event not yet seen) would drop the frame: queue it.
    if (this.#state === States.OPEN && this.#ws?.readyState === OPEN) {
      this.#ws.send(text);
      if (entry) entry.connection = this.#connection;
      return;
    }
    if (this.#closed) throw new Error('the client is closed');
    if (this.#queue.length >= this.#opts.maxQueued) {
      throw new Error(`not connected and ${this.#opts.maxQueued} frames are already waiting`);
    }
    this.#queue.push({ text, entry });
  }

  #unqueue(entry) {
    const index = this.#queue.findIndex((queued) => queued.entry === entry);
    if (index >= 0) this.#queue.splice(index, 1);
  }

  /** Where to resume from: `{since}` (a message_id, or a seq), or null when nothing was seen. */
  #resumePoint() {
    if (!this.#opts.resume) return null;
    const messageId = this.#lastMessageId ?? this.#slow?.messageId ?? null;
    if (messageId !== null) return { since: messageId, bySeq: false };
    // A number means something only to the gateway instance that gave it; the replay notice
    // tells whether it was that one.
    const seq = this.#lastSeq ?? this.#slow?.seq ?? null;
    if (seq !== null && this.#instance !== null) return { since: seq, bySeq: true };
    return null;
  }

  #currentUrl(resumePoint, token) {
    const o = this.#opts;
    return buildUrl(this.#url, {
      filters: this.#wire,
      seq: o.resume ? true : undefined,
      since: resumePoint?.since,
      snapshot: o.snapshot,
      acks: o.acks,
      policy: o.policy,
      ownReplies: o.ownReplies === 'filtered' ? undefined : o.ownReplies,
      token: token !== undefined && o.tokenIn === 'query' ? token : undefined,
    });
  }

  #open() {
    const attempt = ++this.#opening;
    if (typeof this.#opts.getToken !== 'function') {
      this.#openSocket(this.#opts.token);
      return;
    }
    let pending;
    try {
      pending = Promise.resolve(this.#opts.getToken());
    } catch (e) {
      pending = Promise.reject(e);
    }
    pending.then(
      (token) => {
        if (this.#closed || attempt !== this.#opening) return;
        if (token !== undefined && token !== null && typeof token !== 'string') {
          this.#dropped({ code: 1006, reason: `getToken() gave a ${typeof token}, not a string` });
          return;
        }
        this.#openSocket(token ?? undefined);
      },
      (e) => {
        if (this.#closed || attempt !== this.#opening) return;
        this.#dropped({ code: 1006, reason: `getToken() failed: ${e?.message ?? e}` });
      },
    );
  }

  #openSocket(token) {
    const reconnecting = this.#connection > 0 || this.#attempt > 0;
    const resumePoint = reconnecting ? this.#resumePoint() : null;
    this.#resuming = resumePoint !== null;
    this.#resumedInstance = resumePoint?.bySeq ? this.#instance : null;
    let ws;
    try {
      let protocols;
      if (token !== undefined && token !== '' && this.#opts.tokenIn === 'protocol') {
        if (!TOKEN_CHARS.test(token)) {
          throw new Error(
            "the token has characters a websocket subprotocol cannot carry; pass tokenIn: 'query'",
          );
        }
        protocols = ['clu-ws', `bearer.${token}`];
      }
      this.#wire = this.#desiredWire();
      const version = this.#wireVersion;
      this.#socketUrl = this.#currentUrl(resumePoint, token === '' ? undefined : token);
      ws = protocols ? new this.#WebSocket(this.#socketUrl, protocols) : new this.#WebSocket(this.#socketUrl);
      ws.cluWsVersion = version;
    } catch (e) {
      this.#dropped({ code: 1006, reason: e.message });
      return;
    }
    this.#ws = ws;
    ws.binaryType = 'arraybuffer'; // the gateway sends text; decode anything else the same way
    const connection = ++this.#connection;
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      this.#openedAt = Date.now();
      this.#slow = null;
      this.#setState(States.OPEN, {});
      const queued = this.#queue.splice(0);
      for (const { text, entry } of queued) {
        ws.send(text);
        if (entry) entry.connection = connection;
      }
      if (this.#resuming) {
        // A server that does not replay (CLU's own) never sends the notice.
        this.#resumeTimer = setTimeout(
          () => this.#resumed(false, 'the server did not confirm a replay of what was missed'),
          Math.max(this.#opts.controlTimeout, 1),
        );
      } else if (connection > 1) {
        this.#resumed(false, 'nothing to resume from');
      }
      this.#applied(ws.cluWsVersion);
      this.#scheduleSync();
    };
    ws.onmessage = (event) => {
      if (this.#ws !== ws) return;
      this.#receive(event.data);
    };
    const gone = (detail) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      detach(ws);
      this.#dropped(detail);
    };
    ws.onclose = (event) => gone({ code: event.code, reason: event.reason });
    ws.onerror = () => {
      // Browsers fire close right after error; Node 20's WebSocket does not when the connection
      // cannot be made, so a socket still not closed shortly after is taken as gone.
      setTimeout(() => {
        if (this.#ws !== ws) return;
        try {
          ws.close();
        } catch {
          // not open
        }
        gone({ code: 1006, reason: 'the connection failed' });
      }, 50);
    };
  }

  #dropped(detail) {
    if (this.#closed) return;
    const o = this.#opts;
    clearTimeout(this.#resumeTimer);
    this.#resuming = false;
    if (detail.code === SLOW_CLIENT) {
      const slow = parseSlowClose(detail.reason);
      if (slow) {
        this.#slow = slow;
        detail = { ...detail, slow };
      }
    }
    detail = { ...detail, text: describeClose(detail) };
    if (this.#openedAt && Date.now() - this.#openedAt >= o.stableAfter) this.#attempt = 0;
    this.#openedAt = 0;
    if (this.#resumePoint() === null) {
      this.#failAll(
        `outcome unknown: connection lost before the command finished (${describeClose(detail)}), and nothing to resume from`,
        (entry) => entry.connection !== -1,
        'unknown',
      );
    }
    // Control frames are answered at once: their answer is not replayed, so a lost one fails.
    this.#failAll(
      `connection lost before the gateway answered (${describeClose(detail)})`,
      (entry) => entry.kind !== 'command' && entry.connection !== -1,
      'unknown',
    );
    if (!o.reconnect || this.#attempt >= o.maxAttempts) {
      this.#closed = true;
      this.#failAll(`connection closed (${describeClose(detail)})`, () => true, 'closed');
      this.#queue.length = 0;
      this.#endHandles(new Error(`the connection closed: ${describeClose(detail)}`));
      this.#setState(States.CLOSED, detail);
      return;
    }
    const ceiling = Math.min(o.maxDelay, o.initialDelay * o.factor ** this.#attempt);
    const delay = Math.round(ceiling * (1 - o.jitter * Math.random()));
    this.#attempt++;
    this.#setState(States.RECONNECTING, { ...detail, attempt: this.#attempt, delay });
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#closed) {
        this.#setState(States.CONNECTING, { attempt: this.#attempt });
        this.#open();
      }
    }, delay);
  }

  /**
   * Settles the commands sent on earlier connections once the replay is over: those whose final
   * reply was replayed are already resolved; the others stay pending only when the replay was
   * complete, they had a reply, and their final reply is sure to pass this connection's filters.
   */
  #resumed(complete, why) {
    clearTimeout(this.#resumeTimer);
    this.#resumeTimer = null;
    this.#resuming = false;
    const earlier = (entry) => entry.connection !== -1 && entry.connection < this.#connection;
    if (!complete) {
      this.#failAll(
        `outcome unknown: the connection was lost while the command ran, and what was missed could not be replayed (${why})`,
        earlier,
        'unknown',
      );
      // Handles whose first snapshot is still to come get it when they are ready.
      for (const spec of this.#handles) if (spec.snapshotted) this.#handleSnapshot(spec);
      return;
    }
    this.#failAll(
      'outcome unknown: the connection was lost right after the command was sent, and no reply to it was replayed',
      (entry) => earlier(entry) && entry.kind === 'command' && entry.replies.length === 0,
      'unknown',
    );
    this.#failAll(
      "outcome unknown: the connection was lost while the command ran, and this connection's filters may hide its final reply",
      (entry) => earlier(entry) && entry.kind === 'command' && !finalReplyPasses(this.#wire, entry.consumer),
      'unknown',
    );
  }

  #receive(data) {
    let frame;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
    } catch {
      return; // not a reply frame
    }
    if (!frame || typeof frame !== 'object') return;
    const headers = frame.headers ?? {};
    const fromGateway = isGatewayFrame(frame);
    if (typeof frame.seq === 'number') this.#lastSeq = frame.seq;
    if (!fromGateway && typeof frame.message_id === 'string' && frame.message_id !== '') {
      this.#lastMessageId = frame.message_id;
    }
    if (fromGateway && !headers.snapshot && typeof headers.sender === 'string') {
      this.#instance = headers.sender;
    }
    if (this.#resuming && fromGateway && frame.body?.replay) {
      const other = this.#resumedInstance !== null && headers.sender !== this.#resumedInstance;
      this.#resumed(
        frame.body.replay === 'complete' && !other,
        other ? `a numbered resume point reached another gateway (${headers.sender})` : errorText(frame),
      );
    }
    if (fromGateway && headers.message_code === 'w' && /^unknown parameter 'own_replies'/.test(frame.body?.error ?? '')) {
      // A gateway older than own_replies warns about the parameter this client added by itself:
      // the warning is for the client, not the application.
      this.#ownRepliesIgnored = true;
      return;
    }
    for (const listener of this.#replyListeners) safeCall(listener, frame);
    const id = headers.command_id == null ? null : String(headers.command_id);
    if (this.#handles.size > 0) this.#deliver(frame, fromGateway, id);
    const entry = id === null ? undefined : this.#pending.get(id);
    if (!entry) return;
    entry.replies.push(frame);
    const code = headers.message_code;
    if (code === DONE && (entry.kind === 'command' || fromGateway)) {
      this.#finish(id, null, entry.replies);
    } else if (code === FAILED || (code === 'e' && fromGateway)) {
      const text = errorText(frame);
      let message;
      let kind;
      if (fromGateway && frame.body?.outcome === 'unknown') {
        message = `outcome unknown: ${text}`;
        kind = 'unknown';
      } else if (code === 'e') {
        message = `${entry.kind === 'command' ? 'the gateway refused the command' : 'the gateway refused it'}: ${text}`;
        kind = 'refused';
      } else {
        message = `${entry.kind === 'command' ? 'command failed' : 'the gateway refused it'}: ${text}`;
        kind = entry.kind === 'command' ? 'failed' : 'refused';
      }
      this.#finish(id, new CommandError(message, { commandId: id, replies: entry.replies, error: text, frame, kind }));
    }
  }

  /** Hands a frame to each handle whose filters accept it. */
  #deliver(frame, fromGateway, id) {
    const snapshot = frame.headers?.snapshot === true;
    const target = snapshot && id !== null ? this.#snapshotRoutes.get(id) : undefined;
    if (snapshot && id !== null && target === undefined && this.#pending.has(id)) return; // asked by snapshot()
    const entry = id === null ? undefined : this.#pending.get(id);
    if (fromGateway && !snapshot && entry !== undefined && entry.kind !== 'command') return; // an answer to the client itself
    const own = entry !== undefined && entry.kind === 'command' && entry.consumer === frame.headers?.sender;
    for (const spec of [...this.#handles]) {
      if (target !== undefined && spec !== target) continue;
      const accepted = accepts(spec, frame, { fromGateway, snapshot, own });
      if (accepted !== null && this.#handles.has(spec)) safeCall(spec.onReply, accepted);
    }
  }

  #finish(id, error, value) {
    const entry = this.#pending.get(id);
    if (!entry) return;
    this.#pending.delete(id);
    clearTimeout(entry.timer);
    entry.cleanup?.();
    if (error) entry.reject(error);
    else entry.resolve(value);
  }

  #failAll(message, which, kind) {
    for (const [id, entry] of [...this.#pending]) {
      if (which(entry)) {
        this.#finish(id, new CommandError(message, { commandId: id, replies: entry.replies, kind }));
      }
    }
  }

  #setState(state, detail) {
    if (state === this.#state && state !== States.RECONNECTING) return;
    this.#state = state;
    for (const listener of this.#stateListeners) safeCall(listener, state, detail);
  }
}

// --- subscription handles: their filters, matched here as the gateway matches them ---------------

/** Validates a handle's filters and compiles them into matchers. */
function compileHandle(filters) {
  if (!filters || typeof filters !== 'object' || Array.isArray(filters)) {
    throw new TypeError('filters must be an object, e.g. {actors: ["lvmecp"], codes: ":f"}');
  }
  const spec = { filters: Object.freeze({ ...filters }), wire: {}, actors: null };
  for (const [name, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    if (!HANDLE_FILTERS.has(name) && !HANDLE_OPTIONS.has(name)) {
      throw new TypeError(
        `'${name}' cannot be used in a subscription handle (use ${[...HANDLE_FILTERS, ...HANDLE_OPTIONS].join(', ')}; ` +
          'other filters go to the connection: subscribe(filters) without a listener)',
      );
    }
  }
  const list = (name, check) => {
    const value = filters[name];
    if (value === undefined || value === null) return null;
    const items = (Array.isArray(value) ? value.map(String) : String(value).split(','))
      .map((item) => item.trim())
      .filter((item) => item !== '');
    if (items.length === 0) throw new TypeError(`'${name}' needs at least one value`);
    for (const item of items) check?.(item);
    return [...new Set(items)];
  };
  const word = (name, pattern, what) => (item) => {
    if (!pattern.test(item)) throw new TypeError(`'${item}' is not a valid ${what} for '${name}'`);
  };
  const actors = list('actors', word('actors', /^[A-Za-z0-9_.*-]+$/, 'actor name or pattern'));
  if (actors) {
    spec.actors = actors;
    spec.wire.actors = actors;
    const regexes = actors.map(globRegex);
    spec.matchActor = (name) => typeof name === 'string' && regexes.some((r) => r.test(name));
  }
  const codes = list('codes');
  if (codes) {
    const chars = new Set(codes.join(''));
    for (const c of chars) {
      if (!'>:fewi!d'.includes(c)) throw new TypeError(`'${c}' is not a CLU message code (use > : f e w i ! d)`);
    }
    spec.codes = chars;
    spec.wire.codes = [...chars];
  }
  const keywords = list('keywords', word('keywords', /^[A-Za-z0-9_.-]+$/, 'keyword'));
  if (keywords) {
    spec.keywords = new Set(keywords);
    spec.wire.keywords = keywords;
  }
  const routing = list('routing', (item) => {
    for (const w of item.split('.')) {
      if (w !== '*' && w !== '#' && /[*#\s]/.test(w)) {
        throw new TypeError(`'${item}' is not a valid routing pattern: a wildcard is a whole word ('*' or '#' between dots)`);
      }
    }
  });
  if (routing) {
    spec.routing = routing.map(topicMatcher);
    spec.wire.routing = routing;
  }
  const flag = (name) => {
    const value = filters[name];
    if (value === undefined || value === null) return null;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new TypeError(`'${name}' must be true or false`);
  };
  const internal = flag('internal');
  if (internal === false) {
    spec.noInternal = true;
    spec.wire.internal = false;
  }
  const own = flag('own');
  const broadcasts = flag('own.broadcasts');
  if (broadcasts && own === false) throw new TypeError("'own.broadcasts' needs own: true");
  if (own === true || (own === null && broadcasts === true)) {
    spec.own = true;
    spec.ownBroadcasts = broadcasts === true;
    spec.wire.own = spec.ownBroadcasts ? 'broadcasts' : 'commands';
  }
  if (filters.match !== undefined && typeof filters.match !== 'function') {
    throw new TypeError("'match' must be a function (frame) => boolean");
  }
  spec.match = filters.match ?? null;
  spec.snapshot = flag('snapshot') === true;
  spec.gateway = flag('gateway') === true;
  return spec;
}

/**
 * The gateway subscription that lets through everything any handle accepts: a filter is kept only
 * when every handle has it (with the union of their values); the handles then filter locally.
 */
function unionOf(specs) {
  const all = (name) => specs.every((spec) => spec.wire[name] !== undefined);
  const joined = (name) => [...new Set(specs.flatMap((spec) => spec.wire[name]))].join(',');
  const wire = {};
  if (all('actors')) wire.actors = joined('actors');
  if (all('codes')) wire.codes = joined('codes').replaceAll(',', '');
  if (all('keywords')) wire.keywords = joined('keywords');
  if (all('routing')) wire.routing = joined('routing');
  if (all('internal')) wire.internal = 'false';
  if (all('own')) {
    wire.own = 'true';
    if (specs.some((spec) => spec.wire.own === 'broadcasts')) wire['own.broadcasts'] = 'true';
  }
  return wire;
}

/**
 * The frame as the handle sees it (its body trimmed to its keywords), or null when its filters
 * refuse it. Mirrors the gateway's built-in filters: gateway frames pass them (a handle gets them
 * only with `gateway: true`); snapshot frames pass `codes`, `own` and `routing`.
 */
function accepts(spec, frame, { fromGateway, snapshot, own }) {
  if (fromGateway && !snapshot) {
    return spec.gateway && (spec.match === null || spec.match(frame)) ? frame : null;
  }
  const headers = frame.headers ?? {};
  if (spec.matchActor && !spec.matchActor(headers.sender)) return null;
  if (spec.noInternal && headers.internal === true) return null;
  if (!snapshot) {
    if (spec.codes && !spec.codes.has(headers.message_code)) return null;
    if (spec.routing && !spec.routing.some((matches) => matches(frame.routing_key))) return null;
    if (spec.own && !own) {
      const id = headers.command_id;
      const broadcast = id === null || id === undefined || id === '' || frame.routing_key === 'reply.broadcast';
      if (!(spec.ownBroadcasts && broadcast)) return null;
    }
  }
  let seen = frame;
  if (spec.keywords) {
    const body = frame.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
    const keys = Object.keys(body);
    const kept = keys.filter((key) => spec.keywords.has(key));
    if (kept.length === 0) return null;
    if (kept.length < keys.length) {
      seen = { ...frame, body: Object.fromEntries(kept.map((key) => [key, body[key]])) };
    }
  }
  if (spec.match !== null && !spec.match(seen)) return null;
  return seen;
}

/** Whether a final reply (`:` or `f`) of `consumer` to a command passes the gateway filters. */
function finalReplyPasses(wire, consumer) {
  for (const [name, value] of Object.entries(wire)) {
    if (name === 'actors') {
      if (!value.split(',').some((pattern) => globRegex(pattern).test(consumer ?? ''))) return false;
    } else if (name === 'codes') {
      if (!value.includes(':') || !value.includes('f')) return false;
    } else if (name !== 'internal') {
      return false; // keywords, routing, own or a plugin's filter: cannot tell
    }
  }
  return true;
}

function globRegex(pattern) {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

/** An AMQP topic pattern: words split at '.', '*' one word, '#' zero or more. */
function topicMatcher(pattern) {
  const want = pattern === '' ? [] : pattern.split('.');
  return (key) => {
    if (typeof key !== 'string') return false;
    const words = key === '' ? [] : key.split('.');
    let states = new Set([0]);
    const close = (set) => {
      for (const i of set) if (want[i] === '#') set.add(i + 1);
      return set;
    };
    states = close(states);
    for (const w of words) {
      const next = new Set();
      for (const i of states) {
        if (i >= want.length) continue;
        if (want[i] === '#') next.add(i);
        else if (want[i] === '*' || want[i] === w) next.add(i + 1);
      }
      states = close(next);
      if (states.size === 0) return false;
    }
    return states.has(want.length);
  };
}

function detach(ws) {
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
}

function reasonText(reason) {
  if (reason === undefined) return 'no reason given';
  if (reason instanceof Error) return reason.message;
  return String(reason);
}

function abortError(signal, message) {
  return new Error(`${message}: ${reasonText(signal.reason)}`, { cause: signal.reason });
}

function safeCall(callback, ...args) {
  try {
    callback(...args);
  } catch (e) {
    // A listener's bug must not break the client; report it where the platform shows errors.
    if (typeof globalThis.reportError === 'function') globalThis.reportError(e);
    else console.error(e);
  }
}
