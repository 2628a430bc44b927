// Shared by the tests: the gateway under test and small waiting helpers.
// The tests run against a REAL clu-ws gateway and a CLU actor on its exchange:
//   CLU_WS_URL   the gateway's websocket URL, e.g. ws://127.0.0.1:9876/
//   CLU_WS_ACTOR the name of a CLU test actor (answers ping with "Pong.", status, and
//                broadcasts now and then)
// The Maven build starts both (clu-ws-cli's JsClientIT) and runs these tests.
import { connect } from '../src/clu-ws.js';

export const url = process.env.CLU_WS_URL;
export const actor = process.env.CLU_WS_ACTOR;

/** node:test options that skip a test when no gateway is given. */
export const needsGateway = {
  skip: url && actor ? false : 'set CLU_WS_URL and CLU_WS_ACTOR to run against a gateway',
  timeout: 30_000,
};

/** Waits (bounded) for a condition checked on every frame; resolves with the frame. */
export function nextFrame(client, predicate, what, ms = 15_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${what} within ${ms} ms`));
    }, ms);
    const off = client.onReply((frame) => {
      if (predicate(frame)) {
        clearTimeout(timer);
        off();
        resolve(frame);
      }
    });
  });
}

/** Waits (bounded) for the client to reach a state; resolves with its detail. */
export function nextState(client, state, ms = 15_000) {
  return new Promise((resolve, reject) => {
    let off = () => {};
    const timer = setTimeout(() => {
      off();
      reject(new Error(`the client did not become ${state} within ${ms} ms (it is ${client.state})`));
    }, ms);
    let done = false;
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

/** A connected client that the test's `after` hook closes. */
export async function openClient(t, options = {}) {
  const client = connect(url, { initialDelay: 100, maxDelay: 1000, ...options });
  t.after(() => client.close());
  await withTimeout(client.ready(), 15_000, 'the connection did not open');
  return client;
}

export function withTimeout(promise, ms, message) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The message codes of a command's replies, in order. */
export const codes = (replies) => replies.map((r) => r.headers.message_code).join('');

/** A frame larger than the gateway's 1 MiB limit: the gateway closes the socket (1009). */
export const oversized = () => ({ pad: 'x'.repeat(1_100_000) });
