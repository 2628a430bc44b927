// Subscriptions (control frames and connect-time filters) and snapshots, against a real gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandError, buildUrl, isGatewayFrame } from '../src/clu-ws.js';
import { actor, codes, needsGateway, nextFrame, nextState, openClient, oversized } from './helpers.js';

// With ownReplies: 'filtered' the connection filters apply to the replies of its own commands too,
// which shows them at work on the replies a test can provoke.
const filtered = { ownReplies: 'filtered' };

test('subscribing to codes narrows the stream and the command still resolves', needsGateway, async (t) => {
  const client = await openClient(t, filtered);

  const answer = await client.subscribe({ codes: ':f' });
  const replies = await client.command(actor, 'ping');

  assert.equal(answer.control, 'subscribe');
  assert.ok(answer.subscription.codes, JSON.stringify(answer));
  assert.equal(codes(replies), ':');
  assert.deepEqual(client.subscription, { codes: ':f' });
});

test('unsubscribing brings every reply back', needsGateway, async (t) => {
  const client = await openClient(t, filtered);
  await client.subscribe({ codes: [':'] });

  await client.unsubscribe(['codes']);
  const replies = await client.command(actor, 'ping');

  assert.equal(codes(replies), '>:');
  assert.deepEqual(client.subscription, {});
});

test('unsubscribing without names removes every filter', needsGateway, async (t) => {
  const client = await openClient(t, { filters: { codes: ':' }, ...filtered });

  await client.unsubscribe();
  const replies = await client.command(actor, 'status');

  assert.equal(codes(replies), '>i:');
  assert.deepEqual(client.subscription, {});
});

test('a filter value the gateway refuses rejects with its reason and changes nothing', needsGateway, async (t) => {
  const client = await openClient(t, filtered);
  await client.subscribe({ codes: ':' });

  const error = await client.subscribe({ actors: 'two words' }).catch((e) => e);
  const replies = await client.command(actor, 'ping');

  assert.ok(error instanceof CommandError, String(error));
  assert.equal(codes(error.replies), 'e');
  assert.match(error.error, /actors/);
  assert.deepEqual(client.subscription, { codes: ':' });
  assert.equal(codes(replies), ':');
});

test('connect-time filters travel in the query string', needsGateway, async (t) => {
  const client = await openClient(t, { filters: { codes: [':', 'f'] }, ...filtered });

  const replies = await client.command(actor, 'ping');

  assert.equal(new URL(client.url).searchParams.get('codes'), ':,f');
  assert.equal(codes(replies), ':');
});

test('the subscription is applied again after the server drops the socket', needsGateway, async (t) => {
  const client = await openClient(t, filtered);
  await client.subscribe({ codes: ':' });

  client.send(oversized());
  await nextState(client, 'reconnecting');
  await nextState(client, 'open');
  const replies = await client.command(actor, 'ping');

  assert.equal(new URL(client.url).searchParams.get('codes'), ':');
  assert.equal(codes(replies), ':');
});

test('own=true delivers only the replies to this connection commands', needsGateway, async (t) => {
  const mine = await openClient(t, { filters: { own: true } });
  const other = await openClient(t);
  const seen = [];
  mine.onReply((f) => seen.push(f));

  const theirs = await other.command(actor, 'ping'); // published before mine: it would come first
  const replies = await mine.command(actor, 'ping');

  assert.equal(codes(theirs), '>:');
  assert.equal(codes(replies), '>:');
  const id = replies[0].headers.command_id;
  assert.deepEqual(
    seen.filter((f) => !isGatewayFrame(f)).map((f) => f.headers.command_id),
    [id, id],
    JSON.stringify(seen.map((f) => f.headers)),
  );
});

test('a snapshot holds the latest value of the actor broadcast keyword', needsGateway, async (t) => {
  const client = await openClient(t);
  const broadcast = await nextFrame(
    client,
    (f) => f.headers?.sender === actor && typeof f.body?.heartbeat === 'number',
    `a heartbeat broadcast from ${actor}`,
  );

  const { frames, answer } = await client.snapshot([actor]);

  assert.equal(answer.control, 'snapshot');
  assert.equal(frames.length, 1, JSON.stringify(frames));
  assert.equal(frames[0].headers.sender, actor);
  assert.equal(frames[0].headers.snapshot, true);
  assert.ok(frames[0].body.heartbeat >= broadcast.body.heartbeat, JSON.stringify(frames[0].body));
});

test('buildUrl writes filters and reserved parameters, and refuses a reserved name as a filter', () => {
  const url = buildUrl('http://gw.example:9876/path?x=1', {
    filters: { actors: ['lvmecp', 'lvm*'], own: true, 'own.broadcasts': true, codes: null },
    seq: true,
    since: 42,
    acks: false,
  });

  const u = new URL(url);
  assert.equal(u.protocol, 'ws:');
  assert.equal(u.searchParams.get('x'), '1');
  assert.equal(u.searchParams.get('actors'), 'lvmecp,lvm*');
  assert.equal(u.searchParams.get('own'), 'true');
  assert.equal(u.searchParams.get('own.broadcasts'), 'true');
  assert.equal(u.searchParams.get('since'), '42');
  assert.equal(u.searchParams.has('codes'), false);
  assert.equal(u.searchParams.has('acks'), false);
  assert.throws(() => buildUrl('ws://h/', { filters: { since: 3 } }), /reserved/);
});
