// A fake WebSocket for the client's unit tests: no gateway, no network. Each test makes its own
// `fakeGateway()`, passes `gateway.WebSocket` as the client's WebSocket option, and plays the
// gateway's part: open the socket, read what the client sent, send frames, close.

/** A frame shaped like an actor's reply, as the gateway forwards it. */
export function actorReply(sender, code, body = {}, { commandId = null, seq, messageId, routingKey, internal = false } = {}) {
  const frame = {
    headers: { command_id: commandId, commander_id: commandId === null ? null : `gw.${sender}`, internal, message_code: code, sender },
    exchange: 'sdss_exchange',
    message_id: messageId ?? `m-${Math.random().toString(16).slice(2)}`,
    routing_key: routingKey ?? (commandId === null ? 'reply.broadcast' : `reply.gw.${sender}`),
    timestamp: '2026-12-07T00:00:00+00:00',
    body,
  };
  if (seq !== undefined) frame.seq = seq;
  return frame;
}

/** A frame the gateway itself makes. */
export function gatewayFrame(code, body, { commandId = null, sender = 'clu-ws-test', snapshot } = {}) {
  const headers = { command_id: commandId, commander_id: null, internal: false, message_code: code, sender };
  if (snapshot) headers.snapshot = true;
  return {
    headers,
    exchange: '',
    message_id: `g-${Math.random().toString(16).slice(2)}`,
    routing_key: '',
    timestamp: '2026-12-07T00:00:00+00:00',
    body,
  };
}

/** A snapshot frame of one actor. */
export function snapshotFrame(actor, body, { commandId = null, sender } = {}) {
  return gatewayFrame('i', body, { commandId, sender: sender ?? actor, snapshot: true });
}

/** A fake gateway: every socket the client makes, and ways to wait for the next one. */
export function fakeGateway() {
  const sockets = [];
  const waiting = [];

  class FakeWebSocket {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;

    constructor(url, protocols) {
      this.url = url;
      this.protocols = protocols === undefined ? [] : [].concat(protocols);
      this.readyState = 0;
      this.binaryType = 'blob';
      this.sent = [];
      this.closedBy = null; // {code, reason} once the client closed it
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      this.waitingForSend = [];
      sockets.push(this);
      const next = waiting.shift();
      if (next) next(this);
    }

    send(text) {
      if (this.readyState !== 1) throw new Error(`send on a socket in state ${this.readyState}`);
      this.sent.push(JSON.parse(text));
      for (const w of this.waitingForSend.splice(0)) w();
    }

    close(code = 1000, reason = '') {
      if (this.readyState >= 2) return;
      this.closedBy = { code, reason };
      this.readyState = 3;
      queueMicrotask(() => this.onclose?.({ code, reason }));
    }

    // --- the gateway's side ---

    /** The query parameters the client connected with. */
    get params() {
      return new URL(this.url).searchParams;
    }

    /** Accepts the upgrade. */
    open() {
      this.readyState = 1;
      this.onopen?.({});
      return this;
    }

    /** Sends the client a frame (an object, as JSON). */
    receive(frame) {
      this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
      return this;
    }

    /** Closes the connection from the gateway's side. */
    drop(code = 1006, reason = '') {
      this.readyState = 3;
      this.onclose?.({ code, reason });
    }

    /** Fails the upgrade (as a refused or unreachable connection does). */
    refuse() {
      this.readyState = 3;
      this.onerror?.({});
      this.onclose?.({ code: 1006, reason: '' });
    }

    /** Resolves with the first frame sent from now on (or already sent past `from`) that matches. */
    async nextSent(predicate = () => true, from = 0) {
      for (let i = 0; i < 50; i++) {
        const found = this.sent.slice(from).find(predicate);
        if (found) return found;
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, 100);
          this.waitingForSend.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      throw new Error(`the client sent no matching frame; it sent ${JSON.stringify(this.sent)}`);
    }

    /** Answers a control frame the way the gateway does (`:` with a body). */
    answer(control, body = {}) {
      return this.receive(
        gatewayFrame(':', { control: control.control, text: 'done', ...body }, { commandId: control.command_id }),
      );
    }

    /** Refuses a control frame or command the way the gateway does (`e`). */
    refuseFrame(frame, error) {
      return this.receive(gatewayFrame('e', { error }, { commandId: frame.command_id }));
    }
  }

  return {
    WebSocket: FakeWebSocket,
    sockets,
    /** The latest socket. */
    get latest() {
      return sockets[sockets.length - 1];
    },
    /** Resolves with the next socket the client makes (or the latest, if not yet used). */
    nextSocket(index = sockets.length) {
      if (sockets.length > index) return Promise.resolve(sockets[index]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the client made no new socket within 5 s')), 5000);
        waiting.push((socket) => {
          clearTimeout(timer);
          resolve(socket);
        });
      });
    },
  };
}

/** Waits (bounded) for the client's state; resolves with its detail. */
export function stateOf(client, state, ms = 5000) {
  return new Promise((resolve, reject) => {
    let done = false;
    let off = () => {};
    const timer = setTimeout(() => {
      off();
      reject(new Error(`the client did not become ${state} within ${ms} ms (it is ${client.state})`));
    }, ms);
    off = client.onState((s, detail) => {
      if (s === state && !done) {
        done = true;
        clearTimeout(timer);
        queueMicrotask(() => off());
        resolve(detail);
      }
    });
    if (done) off();
  });
}

/** Lets pending promise callbacks and microtasks run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
