// Subscription handles, commands that end (timeout, abort) and tokens, against a real gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../src/clu-ws.js';
import { actor, codes, needsGateway, nextFrame, openClient, withTimeout } from './helpers.js';

// An actor whose `wait <ms>` command answers `>` at once and `:` after that many milliseconds.
const slowActor = process.env.CLU_WS_SLOW_ACTOR;
const needsSlowActor = {
  ...needsGateway,
  skip: needsGateway.skip || (slowActor ? false : 'set CLU_WS_SLOW_ACTOR to run this test'),
};

/** Collects what a handle receives. */
function collect() {
  const frames = [];
  const listener = (frame) => frames.push(frame);
  listener.frames = frames;
  return listener;
}

test('two handles on one connection each see only their actor, served by one gateway subscription', needsSlowActor, async (t) => {
  const client = await openClient(t);
  const all = collect();
  client.onReply(all);
  const beats = collect();
  const slow = collect();

  const a = client.subscribe({ actors: actor, keywords: 'heartbeat' }, beats);
  const b = client.subscribe({ actors: slowActor }, slow);
  await withTimeout(Promise.all([a.ready, b.ready]), 10_000, 'the gateway did not take the subscription');
  const replies = await client.command(slowActor, 'wait 10');
  await client.command(actor, 'ping'); // its replies have no heartbeat: handle a does not get them
  await nextFrame(client, (f) => f.headers?.sender === actor && f.body?.heartbeat !== undefined, 'a heartbeat');

  assert.equal(codes(replies), '>:');
  assert.deepEqual(slow.frames.map((f) => f.headers.message_code), ['>', ':']);
  assert.ok(beats.frames.length >= 1);
  assert.ok(beats.frames.every((f) => f.headers.sender === actor && Object.keys(f.body).join() === 'heartbeat'));
  const senders = new Set(all.frames.filter((f) => f.exchange !== '').map((f) => f.headers.sender));
  assert.deepEqual([...senders].sort(), [actor, slowActor].sort(), 'the gateway sent the union and nothing else');
});

test('after a handle unsubscribes the gateway stops sending what only it wanted', needsSlowActor, async (t) => {
  const client = await openClient(t);
  const keep = client.subscribe({ actors: actor }, () => {});
  const drop = client.subscribe({ actors: slowActor }, () => {});
  await withTimeout(Promise.all([keep.ready, drop.ready]), 10_000, 'no subscription');

  await drop.unsubscribe();
  const other = await openClient(t);
  const seen = collect();
  client.onReply(seen);
  await other.command(slowActor, 'wait 10'); // another client's command: replies published to all
  await client.command(actor, 'ping'); // after the slow actor's ':' in the gateway's order

  assert.deepEqual(seen.frames.filter((f) => f.headers?.sender === slowActor), []);
});

test('a handle with snapshot: true receives its actor current state', needsGateway, async (t) => {
  const client = await openClient(t);
  await nextFrame(client, (f) => f.headers?.sender === actor && f.body?.heartbeat !== undefined, 'a heartbeat');
  const state = collect();

  const handle = client.subscribe({ actors: actor, snapshot: true }, state);
  await handle.ready;
  await withTimeout(
    (async () => {
      while (!state.frames.some((f) => f.headers.snapshot)) await new Promise((r) => setTimeout(r, 20));
    })(),
    10_000,
    'no snapshot frame',
  );

  const snapshot = state.frames.find((f) => f.headers.snapshot);
  assert.equal(snapshot.headers.sender, actor);
  assert.equal(typeof snapshot.body.heartbeat, 'number');
});

test('a command that outlives its timeout rejects with kind timeout', needsSlowActor, async (t) => {
  const client = await openClient(t);

  const error = await client.command(slowActor, 'wait 3000', { timeout: 300 }).catch((e) => e);

  assert.equal(error.kind, 'timeout');
  assert.equal(codes(error.replies), '>');
});

test('an aborted command rejects with kind aborted while the actor runs it', needsSlowActor, async (t) => {
  const client = await openClient(t);
  const controller = new AbortController();
  const commandId = `abort-${Date.now()}`;
  const started = nextFrame(client, (f) => f.headers?.command_id === commandId, 'the > reply');

  const pending = client.command(slowActor, 'wait 3000', { signal: controller.signal, commandId });
  await started;
  controller.abort('the operator cancelled');
  const error = await pending.catch((e) => e);

  assert.equal(error.kind, 'aborted');
  assert.match(error.message, /the operator cancelled/);
});

// A gateway that requires a bearer token (JsClientIT starts it): CLU_WS_AUTH_URL, its actor
// CLU_WS_AUTH_ACTOR and a valid token CLU_WS_TOKEN.
const auth = {
  url: process.env.CLU_WS_AUTH_URL,
  actor: process.env.CLU_WS_AUTH_ACTOR,
  token: process.env.CLU_WS_TOKEN,
};
const needsAuth = {
  timeout: 30_000,
  skip: auth.url && auth.actor && auth.token ? false : 'set CLU_WS_AUTH_URL, CLU_WS_AUTH_ACTOR and CLU_WS_TOKEN',
};

function authClient(t, options) {
  const client = connect(auth.url, { initialDelay: 50, maxDelay: 200, ...options });
  t.after(() => client.close());
  return client;
}

test('a token in the bearer subprotocol authenticates, and the URL carries no token', needsAuth, async (t) => {
  const client = authClient(t, { token: auth.token });

  const replies = await client.command(auth.actor, 'ping');

  assert.equal(codes(replies), '>:');
  assert.doesNotMatch(client.url, /token/);
});

test("tokenIn: 'query' authenticates with ?token=", needsAuth, async (t) => {
  const client = authClient(t, { token: auth.token, tokenIn: 'query' });

  const replies = await client.command(auth.actor, 'ping');

  assert.equal(codes(replies), '>:');
  assert.equal(new URL(client.url).searchParams.get('token'), auth.token);
});

test('getToken is asked again at the reconnect after a refused token, and the fresh token gets in', needsAuth, async (t) => {
  const tokens = ['expired-or-unknown', auth.token];
  let calls = 0;
  const client = authClient(t, { getToken: async () => tokens[Math.min(calls++, 1)] });

  const replies = await client.command(auth.actor, 'ping');

  assert.equal(codes(replies), '>:');
  assert.equal(calls, 2);
});
