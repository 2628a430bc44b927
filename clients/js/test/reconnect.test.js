// Reconnection: the server dropping the socket, resuming the reply stream, backoff, giving up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, isGatewayFrame } from '../src/clu-ws.js';
import { actor, codes, needsGateway, nextFrame, nextState, openClient, oversized } from './helpers.js';

// An actor whose `wait <ms>` command answers `>` at once and `:` after that many milliseconds.
const slowActor = process.env.CLU_WS_SLOW_ACTOR;
const needsSlowActor = {
  ...needsGateway,
  skip: needsGateway.skip || (slowActor ? false : 'set CLU_WS_SLOW_ACTOR to run this test'),
};

test('the client reconnects after the server drops the socket, and commands work again', needsGateway, async (t) => {
  const client = await openClient(t);
  const dropped = nextState(client, 'reconnecting');

  client.send(oversized()); // over the gateway's 1 MiB limit: it closes the socket with 1009
  const detail = await dropped;
  await nextState(client, 'open');

  assert.equal(detail.code, 1009);
  assert.equal(detail.attempt, 1);
  const replies = await client.command(actor, 'ping');
  assert.deepEqual(replies.at(-1).body, { text: 'Pong.' });
});

test('a command that finishes while the socket is down resolves from the replay after the reconnect', needsSlowActor, async (t) => {
  // The ':' comes 3 s after the '>': long after the gateway drops the socket, long before the
  // client is back (4 s).
  const client = await openClient(t, { initialDelay: 4000, maxDelay: 4000, jitter: 0 });
  const commandId = `slow-${Date.now()}`;
  const started = nextFrame(client, (f) => f.headers?.command_id === commandId, 'the > reply');
  const notice = nextFrame(client, (f) => f.body?.replay !== undefined, 'a replay notice', 20_000);

  const received = [];
  client.onReply((f) => {
    if (!isGatewayFrame(f)) received.push(f.message_id);
  });

  const command = client.command(slowActor, 'wait 3000', { commandId });
  await started;
  client.send(oversized());
  await nextState(client, 'reconnecting');
  const last = received.at(-1); // the client resumes after the last actor reply it received
  const replies = await command; // its ':' came 3 s later, while the client was away

  assert.equal(codes(replies), '>:');
  assert.deepEqual(replies.at(-1).body, { text: 'waited 3000 ms' });
  assert.equal(new URL(client.url).searchParams.get('since'), last);
  assert.equal(new URL(client.url).searchParams.get('own_replies'), 'always');
  assert.equal((await notice).body.replay, 'complete');
});

test('without resume a command in flight is rejected when the socket drops', needsSlowActor, async (t) => {
  const client = await openClient(t, { resume: false });

  const command = client.command(slowActor, 'wait 2000');
  await nextFrame(client, (f) => f.headers?.sender === slowActor, 'the > reply');
  client.send(oversized());

  const error = await command.catch((e) => e);

  assert.equal(error.kind, 'unknown');
  assert.match(error.message, /^outcome unknown: connection lost before the command finished \(.*1009/);
  assert.doesNotMatch(client.url, /seq=|since=/);
});

test('a client that cannot reach the gateway keeps retrying with growing delays', async (t) => {
  // A port nobody listens on (the discard port on loopback is closed on test machines).
  const client = connect('ws://127.0.0.1:9/', { initialDelay: 50, maxDelay: 400, jitter: 0.5 });
  t.after(() => client.close());
  const delays = [];
  await new Promise((resolve) => {
    client.onState((s, d) => {
      if (s === 'reconnecting') {
        delays.push(d.delay);
        if (delays.length === 6) resolve();
      }
    });
  });

  // Ceilings 50, 100, 200, 400, 400, 400; each delay in [ceiling / 2, ceiling].
  const ceilings = [50, 100, 200, 400, 400, 400];
  delays.forEach((d, i) => {
    assert.ok(d >= ceilings[i] / 2 && d <= ceilings[i], `attempt ${i + 1}: ${d} ms`);
  });
});

test('with maxAttempts the client gives up, closes and rejects waiting commands', async () => {
  const client = connect('ws://127.0.0.1:9/', { initialDelay: 10, maxAttempts: 2 });
  const pending = client.command('anyone', 'ping');

  await assert.rejects(pending, /connection closed/);
  assert.equal(client.state, 'closed');
});
