// clu-ws client: commands as promises, the reply stream, subscriptions and reconnection for
// clu-ws (and, without the clu-ws extras, CLU's own `clu websocket`).
// An ES module without dependencies, for browsers and Node >= 20 (Node 20 needs
// --experimental-websocket, or a WebSocket implementation passed as options.WebSocket).

/** Message codes that end a command: done and failed. */
const DONE = ':';
const FAILED = 'f';
/** WebSocket.OPEN, the readyState of an open socket. */
const OPEN = 1;

/** Connection states reported to onState listeners. */
export const States = Object.freeze({
  CONNECTING: 'connecting',
  OPEN: 'open',
  RECONNECTING: 'reconnecting',
  CLOSED: 'closed',
});

/** Query parameters that are not filters (the gateway reserves them). */
const RESERVED = new Set(['since', 'seq', 'snapshot', 'acks', 'token']);

const DEFAULTS = Object.freeze({
  reconnect: true,
  initialDelay: 500, // ms before the first reconnect attempt
  maxDelay: 30_000, // bound of the exponential backoff
  factor: 2,
  jitter: 0.5, // the delay is drawn from [d * (1 - jitter), d]
  maxAttempts: Infinity, // consecutive failed attempts before giving up (state 'closed')
  stableAfter: 5_000, // a connection open this long resets the backoff
  resume: true, // ?seq=true, and ?since=<last seq> on reconnect
  maxQueued: 256, // frames kept while not connected; more are refused
  commandTimeout: 0, // ms; 0: a command waits for its ':' or 'f' as long as it takes
  controlTimeout: 10_000, // ms to wait for the gateway's answer to a control frame
});

/**
 * Raised (as a promise rejection) when a command fails, a control frame is refused, or the
 * client cannot deliver a frame. `replies` holds every reply received for it, `error` the
 * gateway's or actor's error text, `commandId` its id.
 */
export class CommandError extends Error {
  constructor(message, { commandId = null, replies = [], error = message, frame = null } = {}) {
    super(message);
    this.name = 'CommandError';
    this.commandId = commandId;
    this.replies = replies;
    this.error = error;
    this.frame = frame;
  }
}

/**
 * The websocket URL for `url` with the query parameters clu-ws reads: `filters` (an object of
 * filter name to value: string, array of strings, boolean or number; `name.option` keys are
 * filter options), and the reserved `seq`, `since`, `snapshot`, `acks`, `token`. Parameters
 * already in `url` are kept unless named again.
 */
export function buildUrl(url, { filters = {}, seq, since, snapshot, acks, token } = {}) {
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
  const reserved = { seq, since, snapshot, acks, token };
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
 * Opens a connection to a clu-ws gateway (or a CLU `clu websocket` server) and returns the client.
 *
 * options: WebSocket (implementation; default globalThis.WebSocket), filters (connect-time
 * subscription), snapshot, acks, token, reconnect (false to turn off), initialDelay, maxDelay,
 * factor, jitter, maxAttempts, stableAfter, resume, maxQueued, commandTimeout, controlTimeout.
 */
export function connect(url, options = {}) {
  return new CluWsClient(url, options);
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
  #pending = new Map(); // command_id -> {kind, replies, resolve, reject, timer, connection}
  #queue = []; // frames (strings) waiting for an open socket
  #subscription;
  #attempt = 0;
  #openedAt = 0;
  #timer = null;
  #lastSeq = null;
  #connection = 0; // counts sockets, to know which pending commands a drop concerns
  #resuming = false;
  #socketUrl = null;
  #closed = false;

  constructor(url, options = {}) {
    this.#url = url;
    this.#opts = { ...DEFAULTS, ...options };
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this.#WebSocket !== 'function') {
      throw new TypeError(
        'no WebSocket implementation: pass options.WebSocket (Node 20: run with --experimental-websocket)',
      );
    }
    this.#subscription = { ...(options.filters ?? {}) };
    buildUrl(url, { filters: this.#subscription }); // throws early on a bad URL or filter name
    this.#open();
  }

  /** The connection state: 'connecting', 'open', 'reconnecting' or 'closed'. */
  get state() {
    return this.#state;
  }

  /** The filters in force (connect-time filters updated by subscribe/unsubscribe answers). */
  get subscription() {
    return { ...this.#subscription };
  }

  /** The URL of the latest connection (with the subscription and resume point it used). */
  get url() {
    return this.#socketUrl;
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
   * has `code` and `reason` of the close, `attempt` and `delay` when reconnecting. Returns a
   * function that removes the callback.
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
   * when its `:` arrives; rejects with a CommandError (its replies and error text) on `f`, on
   * an error frame from the gateway naming it, on a timeout, or when the connection is lost
   * and what was missed cannot be replayed. options: commandId, timeout (ms).
   */
  command(consumer, commandString, { commandId = newCommandId(), timeout } = {}) {
    if (typeof consumer !== 'string' || consumer === '') {
      return Promise.reject(new TypeError('consumer must be a non-empty string'));
    }
    if (typeof commandString !== 'string' || commandString.trim() === '') {
      return Promise.reject(new TypeError('commandString must be a non-empty string'));
    }
    const frame = { consumer, command_string: commandString, command_id: String(commandId) };
    return this.#request('command', frame, timeout ?? this.#opts.commandTimeout);
  }

  /**
   * Adds or replaces filters of this connection's subscription (clu-ws control frame), e.g.
   * `{actors: 'lvmecp,lvm*', codes: ':f', own: true, 'own.broadcasts': true}`. Resolves with
   * the gateway's answer body; rejects with its error (the subscription is then unchanged).
   */
  async subscribe(filters) {
    if (!filters || typeof filters !== 'object' || Array.isArray(filters)) {
      throw new TypeError('filters must be an object of filter name to value');
    }
    const values = { ...filters };
    for (const name of Object.keys(values)) {
      if (RESERVED.has(name)) throw new TypeError(`'${name}' is not a filter`);
    }
    const replies = await this.#control({ control: 'subscribe', filters: values });
    Object.assign(this.#subscription, values);
    return replies[replies.length - 1].body;
  }

  /**
   * Removes the named filters (and their `name.option` options), or all of them when `names`
   * is omitted (back to every reply). Resolves with the gateway's answer body.
   */
  async unsubscribe(names) {
    const frame = { control: 'unsubscribe' };
    if (names !== undefined) frame.filters = Array.isArray(names) ? names.map(String) : [String(names)];
    const replies = await this.#control(frame);
    if (names === undefined) {
      this.#subscription = {};
    } else {
      for (const name of frame.filters) {
        for (const key of Object.keys(this.#subscription)) {
          if (key === name || key.startsWith(`${name}.`)) delete this.#subscription[key];
        }
      }
    }
    return replies[replies.length - 1].body;
  }

  /**
   * Asks for the current-state snapshot (optionally of some actors, `*` wildcards allowed).
   * Resolves with `{frames, answer}`: one snapshot frame per actor (body: keyword -> latest
   * value) and the gateway's closing answer body. The frames also reach onReply listeners.
   */
  async snapshot(actors) {
    const frame = { control: 'snapshot' };
    if (actors !== undefined) frame.actors = Array.isArray(actors) ? actors.map(String) : [String(actors)];
    const replies = await this.#control(frame, true);
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

  /** Closes the connection for good; unfinished commands are rejected. */
  close(code = 1000, reason = 'client closed') {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = null;
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
    this.#failAll('the client was closed before the command finished', () => true);
    this.#queue.length = 0;
    this.#setState(States.CLOSED, { code, reason });
  }

  // --- internals ----------------------------------------------------------------------------

  #control(frame, collect = false) {
    frame.command_id = newCommandId();
    return this.#request(collect ? 'snapshot' : 'control', frame, this.#opts.controlTimeout);
  }

  #request(kind, frame, timeout) {
    if (this.#closed) {
      return Promise.reject(new CommandError('the client is closed', { commandId: frame.command_id }));
    }
    const id = frame.command_id;
    if (this.#pending.has(id)) {
      return Promise.reject(new CommandError(`command id '${id}' is already in use`, { commandId: id }));
    }
    return new Promise((resolve, reject) => {
      const entry = { kind, replies: [], resolve, reject, timer: null, connection: -1 };
      if (timeout > 0) {
        entry.timer = setTimeout(() => {
          this.#finish(id, new CommandError(`no answer within ${timeout} ms`, {
            commandId: id,
            replies: entry.replies,
          }));
        }, timeout);
      }
      this.#pending.set(id, entry);
      try {
        this.#enqueue(JSON.stringify(frame), entry);
      } catch (e) {
        this.#finish(id, new CommandError(e.message, { commandId: id }));
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

  #currentUrl(resume = false) {
    const o = this.#opts;
    return buildUrl(this.#url, {
      filters: this.#subscription,
      seq: o.resume ? true : undefined,
      since: resume && o.resume && this.#lastSeq !== null ? this.#lastSeq : undefined,
      snapshot: o.snapshot,
      acks: o.acks,
      token: o.token,
    });
  }

  #open() {
    const reconnecting = this.#attempt > 0 || this.#connection > 0;
    this.#resuming = reconnecting && this.#opts.resume && this.#lastSeq !== null;
    let ws;
    try {
      this.#socketUrl = this.#currentUrl(this.#resuming);
      ws = new this.#WebSocket(this.#socketUrl);
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
      this.#setState(States.OPEN, {});
      const queued = this.#queue.splice(0);
      for (const { text, entry } of queued) {
        ws.send(text);
        if (entry) entry.connection = connection;
      }
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
    if (this.#openedAt && Date.now() - this.#openedAt >= o.stableAfter) this.#attempt = 0;
    this.#openedAt = 0;
    const canResume = o.resume && this.#lastSeq !== null;
    if (!canResume) {
      this.#failAll(
        `connection lost before the command finished (${describeClose(detail)})`,
        (entry) => entry.connection !== -1,
      );
    }
    // Control frames are answered at once: their answer is not replayed, so a lost one fails.
    this.#failAll(
      `connection lost before the gateway answered (${describeClose(detail)})`,
      (entry) => entry.kind !== 'command' && entry.connection !== -1,
    );
    if (!o.reconnect || this.#attempt >= o.maxAttempts) {
      this.#closed = true;
      this.#failAll(`connection closed (${describeClose(detail)})`, () => true);
      this.#queue.length = 0;
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

  #receive(data) {
    let frame;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
    } catch {
      return; // not a reply frame
    }
    if (!frame || typeof frame !== 'object') return;
    if (typeof frame.seq === 'number') this.#lastSeq = frame.seq;
    const headers = frame.headers ?? {};
    if (this.#resuming && isGatewayFrame(frame) && frame.body?.replay) {
      this.#resuming = false;
      if (frame.body.replay !== 'complete') {
        this.#failAll(
          `connection lost and what was missed could not be replayed: ${errorText(frame)}`,
          (entry) => entry.connection !== -1 && entry.connection < this.#connection,
        );
      }
    }
    for (const listener of this.#replyListeners) safeCall(listener, frame);
    const id = headers.command_id;
    const entry = id == null ? undefined : this.#pending.get(String(id));
    if (!entry) return;
    entry.replies.push(frame);
    const code = headers.message_code;
    const fromGateway = isGatewayFrame(frame);
    if (code === DONE && (entry.kind === 'command' || fromGateway)) {
      this.#finish(String(id), null, entry.replies);
    } else if (code === FAILED || (code === 'e' && fromGateway)) {
      const text = errorText(frame);
      const what = entry.kind === 'command' ? 'command failed' : 'the gateway refused it';
      this.#finish(
        String(id),
        new CommandError(`${what}: ${text}`, { commandId: String(id), replies: entry.replies, error: text, frame }),
      );
    }
  }

  #finish(id, error, value) {
    const entry = this.#pending.get(id);
    if (!entry) return;
    this.#pending.delete(id);
    clearTimeout(entry.timer);
    if (error) entry.reject(error);
    else entry.resolve(value);
  }

  #failAll(message, which) {
    for (const [id, entry] of [...this.#pending]) {
      if (which(entry)) {
        this.#finish(id, new CommandError(message, { commandId: id, replies: entry.replies }));
      }
    }
  }

  #setState(state, detail) {
    if (state === this.#state && state !== States.RECONNECTING) return;
    this.#state = state;
    for (const listener of this.#stateListeners) safeCall(listener, state, detail);
  }
}

function detach(ws) {
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
}

function describeClose({ code, reason } = {}) {
  if (code === undefined) return 'no close code';
  return reason ? `code ${code}: ${reason}` : `code ${code}`;
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
