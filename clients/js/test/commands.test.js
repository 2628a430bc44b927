// Commands, the reply stream and the connection state, against a real gateway and CLU actor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandError, connect } from '../src/clu-ws.js';
import {
  actor,
  codes,
  needsGateway,
  nextFrame,
  openClient,
  url,
} from './helpers.js';

test('ping resolves with all its replies, the last one saying Pong.', needsGateway, async (t) => {
  const client = await openClient(t);

  const replies = await client.command(actor, 'ping');

  assert.equal(codes(replies), '>:');
  assert.deepEqual(replies.at(-1).body, { text: 'Pong.' });
  assert.equal(replies.at(-1).headers.sender, actor);
});

test('a command sent before the connection opens is sent once it does', needsGateway, async (t) => {
  const client = connect(url);
  t.after(() => client.close());

  const replies = await client.command(actor, 'status');

  assert.equal(codes(replies), '>i:');
  assert.deepEqual(replies[1].body, { status_word: 42 });
});

test('a command to an actor that is not running rejects with the routing error', needsGateway, async (t) => {
  const client = await openClient(t);
  const nobody = `nobody-${process.pid}-${Date.now()}`;

  const error = await client.command(nobody, 'ping').then(
    () => assert.fail('the command resolved'),
    (e) => e,
  );

  assert.ok(error instanceof CommandError, String(error));
  assert.equal(error.error, `Failed routing message to consumer '${nobody}'.`);
  assert.equal(codes(error.replies), 'f');
  assert.match(error.message, /Failed routing message/);
});

test('a command the actor fails rejects with every reply it sent', needsGateway, async (t) => {
  const client = await openClient(t);

  const error = await client.command(actor, 'no-such-command').catch((e) => e);

  assert.ok(error instanceof CommandError, String(error));
  assert.equal(codes(error.replies), '>wf');
  assert.deepEqual(error.replies[1].body, { help: ['ping', 'status'] });
  assert.equal(error.error, "Command 'no-such-command' failed.");
});

test('replies carry the command id the caller chose', needsGateway, async (t) => {
  const client = await openClient(t);
  const commandId = `js-${Date.now()}`;

  const replies = await client.command(actor, 'ping', { commandId });

  assert.ok(replies.every((r) => r.headers.command_id === commandId));
});

test('a command the gateway refuses rejects with the gateway error', needsGateway, async (t) => {
  const client = await openClient(t);

  // A consumer with a space would route to other actors' queues: the gateway answers 'e'.
  const error = await client.command('two words', 'ping').catch((e) => e);

  assert.ok(error instanceof CommandError, String(error));
  assert.equal(codes(error.replies), 'e');
  assert.equal(error.error, "'consumer' must not contain spaces or the routing wildcards '*' and '#'");
});

test('onReply sees the actor broadcasts', needsGateway, async (t) => {
  const client = await openClient(t);

  const frame = await nextFrame(
    client,
    (f) => f.headers?.sender === actor && f.routing_key === 'reply.broadcast',
    `broadcast from ${actor}`,
  );

  assert.equal(frame.headers.message_code, 'i');
  assert.equal(frame.headers.command_id ?? null, null);
  assert.equal(typeof frame.body.heartbeat, 'number');
});

test('a listener removed with its unsubscribe function hears nothing more', needsGateway, async (t) => {
  const client = await openClient(t);
  const removed = [];
  const off = client.onReply((f) => removed.push(f));
  off();

  await nextFrame(client, (f) => f.headers?.sender === actor, `a frame from ${actor}`);

  assert.equal(removed.length, 0);
});

test('onState reports connecting, then open, then closed on close()', needsGateway, async () => {
  const client = connect(url);
  const states = [];
  client.onState((s) => states.push(s));

  await client.ready();
  client.close();

  assert.deepEqual(states, ['connecting', 'open', 'closed']);
  await assert.rejects(client.command(actor, 'ping'), /closed/);
});

test('close() rejects the commands still waiting for their replies', needsGateway, async (t) => {
  const client = await openClient(t);
  const pending = client.command(actor, 'ping');

  client.close();

  await assert.rejects(pending, /closed before the command finished/);
});
