// Commands against a fake socket: how each one ends (done, failed, refused, outcome unknown,
// aborted, timed out, closed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandError, connect } from '../src/clu-ws.js';
import { actorReply, fakeGateway, gatewayFrame, settle } from './fake-socket.js';

function openClient(t, options = {}) {
  const gateway = fakeGateway();
  const client = connect('ws://gw.test/', { WebSocket: gateway.WebSocket, initialDelay: 1, jitter: 0, ...options });
  t.after(() => client.close());
  const socket = gateway.latest.open();
  return { gateway, client, socket };
}

const isCommand = (f) => typeof f.consumer === 'string';

test('a command resolves with every reply when its : arrives', async (t) => {
  const { client, socket } = openClient(t);

  const done = client.command('lvmecp', 'status', { commandId: 'c1' });
  const sent = await socket.nextSent(isCommand);
  socket.receive(actorReply('lvmecp', '>', {}, { commandId: 'c1' }));
  socket.receive(actorReply('lvmecp', 'i', { dome: 'open' }, { commandId: 'c1' }));
  socket.receive(actorReply('lvmecp', ':', {}, { commandId: 'c1' }));
  const replies = await done;

  assert.deepEqual(sent, { consumer: 'lvmecp', command_string: 'status', command_id: 'c1' });
  assert.deepEqual(replies.map((r) => r.headers.message_code), ['>', 'i', ':']);
});

test('a command the actor fails rejects with kind failed, its error text and replies', async (t) => {
  const { client, socket } = openClient(t);

  const done = client.command('lvmecp', 'open', { commandId: 'c2' });
  await socket.nextSent(isCommand);
  socket.receive(actorReply('lvmecp', 'f', { error: 'dome stuck' }, { commandId: 'c2' }));
  const error = await done.catch((e) => e);

  assert.ok(error instanceof CommandError);
  assert.equal(error.kind, 'failed');
  assert.equal(error.error, 'dome stuck');
  assert.equal(error.message, 'command failed: dome stuck');
  assert.equal(error.replies.length, 1);
});

test('a command the gateway refuses rejects with kind refused', async (t) => {
  const { client, socket } = openClient(t);

  const done = client.command('two words', 'ping', { commandId: 'c3' });
  const sent = await socket.nextSent(isCommand);
  socket.refuseFrame(sent, "'consumer' must not contain spaces");
  const error = await done.catch((e) => e);

  assert.equal(error.kind, 'refused');
  assert.match(error.message, /the gateway refused the command: 'consumer' must not contain spaces/);
});

test('a gateway f frame saying the outcome is unknown rejects the command with an outcome unknown error', async (t) => {
  const { client, socket } = openClient(t);
  const other = client.command('lvmnps', 'status', { commandId: 'still-running' });

  const done = client.command('lvmecp', 'status', { commandId: 'c4' });
  await socket.nextSent((f) => f.command_id === 'c4');
  socket.receive(gatewayFrame('w', { broker: 'replies_lost', text: 'replies published while the broker restarted may have been missed' }));
  socket.receive(
    gatewayFrame(
      'f',
      { outcome: 'unknown', error: "the outcome of command c4 to lvmecp is unknown: its replies were lost" },
      { commandId: 'c4' },
    ),
  );
  const error = await done.catch((e) => e);

  assert.equal(error.kind, 'unknown');
  assert.match(error.message, /^outcome unknown: the outcome of command c4 to lvmecp is unknown/);
  socket.receive(actorReply('lvmnps', ':', {}, { commandId: 'still-running' }));
  assert.equal((await other).length, 1, 'a command the gateway did not name is not touched');
});

test('aborting a command that is still queued rejects it and it is never sent', async (t) => {
  const gateway = fakeGateway();
  const client = connect('ws://gw.test/', { WebSocket: gateway.WebSocket });
  t.after(() => client.close());
  const controller = new AbortController();

  const done = client.command('lvmecp', 'status', { signal: controller.signal });
  controller.abort(new Error('the user left the page'));
  const error = await done.catch((e) => e);
  const socket = gateway.latest.open();
  await settle();

  assert.equal(error.kind, 'aborted');
  assert.equal(error.message, 'aborted before it was sent: the user left the page');
  assert.equal(error.cause.message, 'the user left the page');
  assert.deepEqual(socket.sent, []);
});

test('aborting a sent command rejects it at once and says the actor may still run it', async (t) => {
  const { client, socket } = openClient(t);
  const controller = new AbortController();

  const done = client.command('lvmecp', 'expose 900', { signal: controller.signal, commandId: 'c5' });
  await socket.nextSent(isCommand);
  socket.receive(actorReply('lvmecp', '>', {}, { commandId: 'c5' }));
  controller.abort('cancelled');
  const error = await done.catch((e) => e);

  assert.equal(error.kind, 'aborted');
  assert.match(error.message, /^aborted: cancelled \(it was sent: the actor may still run it/);
  assert.equal(error.replies.length, 1);
});

test('a command with an already aborted signal is rejected without being sent', async (t) => {
  const { client, socket } = openClient(t);

  const error = await client.command('lvmecp', 'status', { signal: AbortSignal.abort('no') }).catch((e) => e);
  await settle();

  assert.equal(error.kind, 'aborted');
  assert.deepEqual(socket.sent, []);
});

test('a command without a final reply within its timeout rejects with kind timeout', async (t) => {
  const { client, socket } = openClient(t);

  const done = client.command('lvmecp', 'status', { timeout: 30, commandId: 'c6' });
  await socket.nextSent(isCommand);
  socket.receive(actorReply('lvmecp', '>', {}, { commandId: 'c6' }));
  const error = await done.catch((e) => e);

  assert.equal(error.kind, 'timeout');
  assert.equal(error.message, "no final reply to 'status' to lvmecp within 30 ms (the actor may still run it)");
  assert.equal(error.replies.length, 1);
});

test('the client default commandTimeout applies when a command gives none', async (t) => {
  const { client } = openClient(t, { commandTimeout: 20 });

  const error = await client.command('lvmecp', 'status').catch((e) => e);

  assert.equal(error.kind, 'timeout');
});

test('close() rejects waiting commands with kind closed', async (t) => {
  const { client, socket } = openClient(t);

  const done = client.command('lvmecp', 'status');
  await socket.nextSent(isCommand);
  client.close();
  const error = await done.catch((e) => e);

  assert.equal(error.kind, 'closed');
  assert.match(error.message, /closed before the command finished/);
  assert.deepEqual(socket.closedBy, { code: 1000, reason: 'client closed' });
});

test('a command id already in use is refused without sending anything', async (t) => {
  const { client, socket } = openClient(t);
  client.command('lvmecp', 'status', { commandId: 'same' }).catch(() => {}); // closed by the test's end
  await socket.nextSent(isCommand);

  const error = await client.command('lvmecp', 'status', { commandId: 'same' }).catch((e) => e);

  assert.equal(error.kind, 'unsent');
  assert.equal(socket.sent.length, 1);
});

test('bad arguments reject with a TypeError', async (t) => {
  const { client } = openClient(t);

  await assert.rejects(client.command('', 'ping'), TypeError);
  await assert.rejects(client.command('lvmecp', '  '), TypeError);
});

test('a listener that throws does not stop the others nor the command', async (t) => {
  const { client, socket } = openClient(t);
  const errors = [];
  const original = globalThis.reportError;
  globalThis.reportError = (e) => errors.push(e);
  t.after(() => {
    globalThis.reportError = original;
  });
  const seen = [];
  client.onReply(() => {
    throw new Error('listener bug');
  });
  client.onReply((f) => seen.push(f));

  const done = client.command('lvmecp', 'ping', { commandId: 'c7' });
  await socket.nextSent(isCommand);
  socket.receive(actorReply('lvmecp', ':', { text: 'Pong.' }, { commandId: 'c7' }));

  assert.equal((await done).length, 1);
  assert.equal(seen.length, 1);
  assert.equal(errors[0].message, 'listener bug');
});
