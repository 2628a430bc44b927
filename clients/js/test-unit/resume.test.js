// Resuming against a fake socket: since=<message_id>, the seq fallback, a slow-client close
// (4001) and how commands pending at a disconnect are settled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, describeClose, parseSlowClose } from '../src/clu-ws.js';
import { actorReply, fakeGateway, gatewayFrame, stateOf } from './fake-socket.js';

const GW = 'clu-ws-0123456789ab';

function setUp(t, options = {}) {
  const gateway = fakeGateway();
  const client = connect('ws://gw.test/', { WebSocket: gateway.WebSocket, initialDelay: 1, jitter: 0, ...options });
  t.after(() => client.close());
  return { gateway, client, socket: gateway.latest.open() };
}

const replay = (kind, extra = {}) =>
  gatewayFrame(kind === 'complete' ? 'i' : 'w', { replay: kind, replayed: 0, text: `replay ${kind}`, ...extra }, { sender: GW });

test('every connection asks for own_replies=always and numbered frames', (t) => {
  const { socket } = setUp(t);

  assert.equal(socket.params.get('own_replies'), 'always');
  assert.equal(socket.params.get('seq'), 'true');
  assert.equal(socket.params.has('since'), false);
});

test("ownReplies: 'filtered' leaves the parameter out", (t) => {
  const { client, socket } = setUp(t, { ownReplies: 'filtered' });

  assert.equal(socket.params.has('own_replies'), false);
  assert.equal(client.ownRepliesHonoured, false);
});

test("an older gateway's warning about own_replies is kept from the listeners and remembered", (t) => {
  const { client, socket } = setUp(t);
  const seen = [];
  client.onReply((f) => seen.push(f.body));

  assert.equal(client.ownRepliesHonoured, true);
  socket.receive(gatewayFrame('w', { error: "unknown parameter 'own_replies': no filter of that name is installed (installed: actors); it is ignored" }));
  socket.receive(gatewayFrame('w', { error: "unknown parameter 'mtach': no filter of that name is installed; it is ignored" }));

  assert.equal(client.ownRepliesHonoured, false);
  assert.deepEqual(seen.map((b) => b.error.slice(0, 25)), ["unknown parameter 'mtach'"]);
});

test('a reconnect resumes after the message_id of the last actor reply, not a gateway frame', async (t) => {
  const { gateway, socket } = setUp(t);
  socket.receive(actorReply('lvmecp', 'i', { a: 1 }, { seq: 7, messageId: 'aaa111' }));
  socket.receive(gatewayFrame('w', { broker: 'disconnected' }, { sender: GW }));

  socket.drop(1006);
  const next = await gateway.nextSocket(1);

  assert.equal(next.params.get('since'), 'aaa111');
});

test('the seq is the fallback only when no message_id was seen', async (t) => {
  const { gateway, socket } = setUp(t);
  const reply = actorReply('lvmecp', 'i', {}, { seq: 12 });
  reply.message_id = null;
  socket.receive(gatewayFrame('i', { ack: 'published' }, { sender: GW }));
  socket.receive(reply);

  socket.drop(1006);
  const next = await gateway.nextSocket(1);

  assert.equal(next.params.get('since'), '12');
});

test('a numbered resume that reaches another gateway instance settles the pending commands as unknown', async (t) => {
  const { gateway, client, socket } = setUp(t);
  socket.receive(gatewayFrame('i', { text: 'hello' }, { sender: GW }));
  const done = client.command('lvmecp', 'status', { commandId: 'n1' });
  await socket.nextSent((f) => f.command_id === 'n1');
  const reply = actorReply('lvmecp', '>', {}, { seq: 3, commandId: 'n1' });
  reply.message_id = null;
  socket.receive(reply);

  socket.drop(1006);
  const next = (await gateway.nextSocket(1)).open();
  next.receive(gatewayFrame('i', { replay: 'complete', text: 'replayed 0' }, { sender: 'clu-ws-another000' }));
  const error = await done.catch((e) => e);

  assert.equal(next.params.get('since'), '3');
  assert.equal(error.kind, 'unknown');
  assert.match(error.message, /outcome unknown: .*another gateway \(clu-ws-another000\)/);
});

test('a slow-client close (4001) is described, its reason parsed, and the client resumes from it', async (t) => {
  const { gateway, client, socket } = setUp(t);
  const dropped = stateOf(client, 'reconnecting');

  socket.drop(4001, 'too slow; seq=812; message_id=9f2c');
  const detail = await dropped;
  const next = await gateway.nextSocket(1);

  assert.deepEqual(detail.slow, { seq: 812, messageId: '9f2c' });
  assert.equal(detail.text, 'the gateway closed this client for reading too slowly (4001)');
  assert.equal(next.params.get('since'), '9f2c', 'nothing seen by the client itself: the reason resumes it');
});

test('after a 4001 the client own last message_id wins over the reason when it has one', async (t) => {
  const { gateway, socket } = setUp(t);
  socket.receive(actorReply('lvmecp', 'i', {}, { seq: 5, messageId: 'own-last' }));

  socket.drop(4001, 'too slow; seq=5; message_id=-');
  const next = await gateway.nextSocket(1);

  assert.equal(next.params.get('since'), 'own-last');
});

test('parseSlowClose reads the contract reason, and nothing else', () => {
  assert.deepEqual(parseSlowClose('too slow; seq=12; message_id=abc'), { seq: 12, messageId: 'abc' });
  assert.deepEqual(parseSlowClose('too slow; seq=-; message_id=-'), { seq: null, messageId: null });
  assert.equal(parseSlowClose('client too slow: its outbox stayed full'), null);
  assert.equal(parseSlowClose(undefined), null);
  assert.equal(describeClose({ code: 1001, reason: 'server shutting down' }), 'the gateway closed the connection: server shutting down (1001)');
  assert.equal(describeClose({ code: 1006, reason: '' }), 'the connection was lost (1006)');
  assert.equal(describeClose({ code: 4999, reason: 'gone' }), 'the gateway closed the connection: gone (4999)');
  assert.equal(describeClose({ code: 1006 }, { opened: false }), 'could not reach the gateway (1006)');
});

test('a command whose final reply is replayed resolves after the reconnect', async (t) => {
  const { gateway, client, socket } = setUp(t);
  const done = client.command('lvmecp', 'wait', { commandId: 'r1' });
  await socket.nextSent((f) => f.command_id === 'r1');
  socket.receive(actorReply('lvmecp', '>', {}, { commandId: 'r1', seq: 1, messageId: 'm1' }));

  socket.drop(1006);
  const next = (await gateway.nextSocket(1)).open();
  next.receive(actorReply('lvmecp', ':', { text: 'waited' }, { commandId: 'r1', seq: 2, messageId: 'm2' }));
  next.receive(replay('complete'));

  assert.deepEqual((await done).map((r) => r.headers.message_code), ['>', ':']);
  assert.equal(next.params.get('since'), 'm1');
});

test('a replay with a gap rejects the commands pending from before with an outcome unknown error', async (t) => {
  const { gateway, client, socket } = setUp(t);
  const done = client.command('lvmecp', 'wait', { commandId: 'r2' });
  await socket.nextSent((f) => f.command_id === 'r2');
  socket.receive(actorReply('lvmecp', '>', {}, { commandId: 'r2', messageId: 'm1' }));

  socket.drop(1006);
  const next = (await gateway.nextSocket(1)).open();
  next.receive(replay('gap', { text: "message_id 'm1' is not among the replies kept" }));
  const error = await done.catch((e) => e);

  assert.equal(error.kind, 'unknown');
  assert.match(error.message, /^outcome unknown: .*could not be replayed \(message_id 'm1' is not among the replies kept\)/);
});

test('after a complete replay, a running command whose final reply will reach the client stays pending', async (t) => {
  const { gateway, client, socket } = setUp(t);
  const done = client.command('lvmecp', 'wait', { commandId: 'r3' });
  await socket.nextSent((f) => f.command_id === 'r3');
  socket.receive(actorReply('lvmecp', '>', {}, { commandId: 'r3', messageId: 'm1' }));

  socket.drop(1006);
  const next = (await gateway.nextSocket(1)).open();
  next.receive(replay('complete'));
  next.receive(actorReply('lvmecp', ':', {}, { commandId: 'r3' }));

  assert.equal((await done).length, 2);
});

test('after a complete replay, a command with no reply at all is rejected as outcome unknown', async (t) => {
  const { gateway, client, socket } = setUp(t);
  socket.receive(actorReply('lvmecp', 'i', {}, { messageId: 'm0' }));
  const done = client.command('lvmecp', 'wait', { commandId: 'r4' });
  await socket.nextSent((f) => f.command_id === 'r4');

  socket.drop(1006);
  const next = (await gateway.nextSocket(1)).open();
  next.receive(replay('complete'));
  const error = await done.catch((e) => e);

  assert.equal(error.kind, 'unknown');
  assert.match(error.message, /right after the command was sent, and no reply to it was replayed/);
});

test("after a complete replay, a running command whose final reply this connection's filters may hide is rejected", async (t) => {
  const { gateway, client, socket } = setUp(t, { filters: { keywords: 'temperature' } });
  const done = client.command('lvmecp', 'wait', { commandId: 'r5' });
  await socket.nextSent((f) => f.command_id === 'r5');
  socket.receive(actorReply('lvmecp', '>', { temperature: 1 }, { commandId: 'r5', messageId: 'm1' }));

  socket.drop(1006);
  const next = (await gateway.nextSocket(1)).open();
  next.receive(replay('complete'));
  const error = await done.catch((e) => e);

  assert.equal(error.kind, 'unknown');
  assert.match(error.message, /filters may hide its final reply/);
});

test('a server that never confirms the replay: pending commands become outcome unknown after controlTimeout', async (t) => {
  const { gateway, client, socket } = setUp(t, { controlTimeout: 30 });
  const done = client.command('lvmecp', 'wait', { commandId: 'r6' });
  await socket.nextSent((f) => f.command_id === 'r6');
  socket.receive(actorReply('lvmecp', '>', {}, { commandId: 'r6', messageId: 'm1' }));

  socket.drop(1006);
  (await gateway.nextSocket(1)).open();
  const error = await done.catch((e) => e);

  assert.equal(error.kind, 'unknown');
  assert.match(error.message, /the server did not confirm a replay/);
});

test('without resume a command in flight is rejected as outcome unknown when the socket drops', async (t) => {
  const { client, socket } = setUp(t, { resume: false });
  const done = client.command('lvmecp', 'wait', { commandId: 'r7' });
  await socket.nextSent((f) => f.command_id === 'r7');
  socket.receive(actorReply('lvmecp', '>', {}, { commandId: 'r7', messageId: 'm1' }));

  socket.drop(1011, 'keepalive ping timeout');
  const error = await done.catch((e) => e);

  assert.equal(error.kind, 'unknown');
  assert.match(error.message, /^outcome unknown: connection lost before the command finished \(.*1011/);
  assert.equal(socket.params.has('seq'), false);
});

test('commands queued while disconnected are sent on the next connection and are not settled by its replay', async (t) => {
  const { gateway, client, socket } = setUp(t);
  socket.receive(actorReply('lvmecp', 'i', {}, { messageId: 'm0' }));
  socket.drop(1006);

  const done = client.command('lvmecp', 'status', { commandId: 'q1' });
  const next = (await gateway.nextSocket(1)).open();
  next.receive(replay('complete'));
  await next.nextSent((f) => f.command_id === 'q1');
  next.receive(actorReply('lvmecp', ':', {}, { commandId: 'q1' }));

  assert.equal((await done).length, 1);
});

test('a snapshot handle asks for the state again after a reconnect that could not replay everything', async (t) => {
  const { gateway, client, socket } = setUp(t);
  socket.receive(actorReply('lvmecp', 'i', {}, { messageId: 'm0' }));
  const handle = client.subscribe({ actors: 'lvmecp', snapshot: true }, () => {});
  const subscribe = await socket.nextSent((f) => f.control === 'subscribe');
  socket.answer(subscribe, {});
  await handle.ready;
  await socket.nextSent((f) => f.control === 'snapshot');

  socket.drop(1006);
  const next = (await gateway.nextSocket(1)).open();
  next.receive(replay('gap'));
  const again = await next.nextSent((f) => f.control === 'snapshot');

  assert.deepEqual(again.actors, ['lvmecp']);
  assert.equal(next.params.get('actors'), 'lvmecp');
});

test('a snapshot handle made while disconnected gets one snapshot when the connection is back, not two', async (t) => {
  const { gateway, client, socket } = setUp(t);
  socket.drop(1006); // nothing seen: nothing to resume from
  const handle = client.subscribe({ actors: 'lvmecp', snapshot: true }, () => {});

  const next = (await gateway.nextSocket(1)).open();
  await handle.ready;
  await next.nextSent((f) => f.control === 'snapshot');
  await new Promise((resolve) => setTimeout(resolve, 20));

  assert.equal(next.params.get('actors'), 'lvmecp');
  assert.equal(next.sent.filter((f) => f.control === 'snapshot').length, 1);
});
