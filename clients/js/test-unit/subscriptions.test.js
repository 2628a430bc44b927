// Subscription handles against a fake socket: one gateway subscription (the union), each handle
// seeing only what it asked for; and the connection-level subscribe/unsubscribe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Subscription, connect } from '../src/clu-ws.js';
import { actorReply, fakeGateway, gatewayFrame, settle, snapshotFrame } from './fake-socket.js';

function openClient(t, options = {}) {
  const gateway = fakeGateway();
  const client = connect('ws://gw.test/', { WebSocket: gateway.WebSocket, initialDelay: 1, jitter: 0, ...options });
  t.after(() => client.close());
  const socket = gateway.latest.open();
  return { gateway, client, socket };
}

const isControl = (name) => (f) => f.control === name;

/** Answers every control frame the client sends from now on, as the gateway would. */
function autoAnswer(socket) {
  let handled = socket.sent.length;
  const original = socket.send.bind(socket);
  socket.send = (text) => {
    original(text);
    const frames = socket.sent.slice(handled);
    handled = socket.sent.length;
    for (const frame of frames) {
      if (frame.control === 'subscribe' || frame.control === 'unsubscribe') {
        queueMicrotask(() => socket.answer(frame, { subscription: {} }));
      }
    }
  };
}

test('two handles share one gateway subscription, the union of their actors, and each sees only its own', async (t) => {
  const { client, socket } = openClient(t);
  autoAnswer(socket);
  const ecp = [];
  const nps = [];

  const a = client.subscribe({ actors: 'lvmecp' }, (f) => ecp.push(f));
  const b = client.subscribe({ actors: ['lvmnps*'] }, (f) => nps.push(f));
  await Promise.all([a.ready, b.ready]);
  socket.receive(actorReply('lvmecp', 'i', { dome: 'open' }));
  socket.receive(actorReply('lvmnps1', 'i', { power: true }));
  socket.receive(actorReply('lvmscp', 'i', { exposing: false })); // the gateway would not send it; nobody takes it

  assert.ok(a instanceof Subscription);
  const subscribes = socket.sent.filter(isControl('subscribe'));
  assert.deepEqual(subscribes.at(-1).filters, { actors: 'lvmecp,lvmnps*' });
  assert.deepEqual(ecp.map((f) => f.headers.sender), ['lvmecp']);
  assert.deepEqual(nps.map((f) => f.headers.sender), ['lvmnps1']);
  assert.equal(client.subscriptions.length, 2);
});

test('a filter only some handles have is left to the handles: the gateway gets no such filter', async (t) => {
  const { client, socket } = openClient(t);
  autoAnswer(socket);
  const done = [];
  const all = [];

  const a = client.subscribe({ actors: 'lvmecp', codes: ':f' }, (f) => done.push(f));
  const b = client.subscribe({ actors: 'lvmecp' }, (f) => all.push(f));
  await Promise.all([a.ready, b.ready]);
  socket.receive(actorReply('lvmecp', 'i', { dome: 'open' }));
  socket.receive(actorReply('lvmecp', ':', {}, { commandId: 'x' }));

  assert.deepEqual(socket.sent.filter(isControl('subscribe')).at(-1).filters, { actors: 'lvmecp' });
  assert.deepEqual(done.map((f) => f.headers.message_code), [':']);
  assert.deepEqual(all.map((f) => f.headers.message_code), ['i', ':']);
});

test('keywords: the gateway trims to the union, each handle to its own keywords', async (t) => {
  const { client, socket } = openClient(t);
  autoAnswer(socket);
  const temps = [];
  const domes = [];

  const a = client.subscribe({ keywords: 'temperature' }, (f) => temps.push(f.body));
  const b = client.subscribe({ keywords: ['dome', 'temperature'] }, (f) => domes.push(f.body));
  await Promise.all([a.ready, b.ready]);
  socket.receive(actorReply('lvmecp', 'i', { dome: 'open', temperature: 9.1 }));
  socket.receive(actorReply('lvmecp', 'i', { dome: 'closed' }));

  assert.deepEqual(socket.sent.filter(isControl('subscribe')).at(-1).filters, { keywords: 'temperature,dome' });
  assert.deepEqual(temps, [{ temperature: 9.1 }]);
  assert.deepEqual(domes, [{ dome: 'open', temperature: 9.1 }, { dome: 'closed' }]);
});

test('routing, internal and match filter locally as the gateway does', async (t) => {
  const { client, socket } = openClient(t);
  autoAnswer(socket);
  const broadcasts = [];
  const external = [];
  const hot = [];

  client.subscribe({ routing: 'reply.broadcast' }, (f) => broadcasts.push(f));
  client.subscribe({ internal: false }, (f) => external.push(f));
  client.subscribe({ match: (f) => f.body.temperature > 10 }, (f) => hot.push(f));
  await settle();
  socket.receive(actorReply('lvmecp', 'i', { temperature: 12 }));
  socket.receive(actorReply('lvmecp', '>', {}, { commandId: 'c', internal: true }));
  socket.receive(actorReply('lvmecp', 'i', { temperature: 5 }, { commandId: 'c' }));

  assert.equal(broadcasts.length, 1);
  assert.deepEqual(external.map((f) => f.headers.message_code), ['i', 'i']);
  assert.deepEqual(hot.map((f) => f.body.temperature), [12]);
});

test('own: a handle sees the replies to this client commands only', async (t) => {
  const { client, socket } = openClient(t);
  autoAnswer(socket);
  const mine = [];
  const handle = client.subscribe({ own: true }, (f) => mine.push(f));
  await handle.ready;

  const done = client.command('lvmecp', 'status', { commandId: 'mine' });
  await socket.nextSent((f) => f.command_id === 'mine');
  socket.receive(actorReply('lvmecp', '>', {}, { commandId: 'theirs' }));
  socket.receive(actorReply('lvmnps', '>', {}, { commandId: 'mine' })); // same id, another actor: not mine
  socket.receive(actorReply('lvmecp', 'i', { broadcast: 1 }));
  socket.receive(actorReply('lvmecp', ':', {}, { commandId: 'mine' }));
  await done;
  socket.receive(actorReply('lvmecp', 'i', {}, { commandId: 'mine' })); // after its ':' it is not followed

  assert.deepEqual(socket.sent.filter(isControl('subscribe')).at(-1).filters, { own: 'true' });
  assert.deepEqual(mine.map((f) => `${f.headers.sender}${f.headers.message_code}`), ['lvmecp:']);
});

test('own with own.broadcasts adds broadcasts, and the gateway is asked for them', async (t) => {
  const { client, socket } = openClient(t);
  autoAnswer(socket);
  const seen = [];
  await client.subscribe({ own: true }, () => {}).ready;

  const handle = client.subscribe({ own: true, 'own.broadcasts': true }, (f) => seen.push(f));
  await handle.ready;
  socket.receive(actorReply('lvmecp', 'i', { heartbeat: 1 }));
  socket.receive(actorReply('lvmecp', 'i', {}, { commandId: 'someone-else' }));

  assert.deepEqual(socket.sent.filter(isControl('subscribe')).at(-1).filters, { 'own.broadcasts': 'true' });
  assert.equal(seen.length, 1);
});

test('unsubscribing a handle stops its listener at once and narrows the gateway subscription', async (t) => {
  const { client, socket } = openClient(t);
  autoAnswer(socket);
  const ecp = [];
  const a = client.subscribe({ actors: 'lvmecp' }, (f) => ecp.push(f));
  const b = client.subscribe({ actors: 'lvmnps' }, () => {});
  await Promise.all([a.ready, b.ready]);

  const narrowed = a.unsubscribe();
  socket.receive(actorReply('lvmecp', 'i', {}));
  await narrowed;
  await b.unsubscribe();

  assert.equal(a.active, false);
  assert.deepEqual(ecp, []);
  assert.deepEqual(socket.sent.filter(isControl('subscribe')).at(-1).filters, { actors: 'lvmnps' });
  assert.deepEqual(socket.sent.filter(isControl('unsubscribe')).at(-1).filters, ['actors']);
  assert.deepEqual(client.subscriptions, []);
});

test('an aborted signal ends its handle', async (t) => {
  const { client, socket } = openClient(t);
  autoAnswer(socket);
  const controller = new AbortController();
  const seen = [];
  const handle = client.subscribe({ actors: 'lvmecp' }, (f) => seen.push(f), { signal: controller.signal });
  await handle.ready;

  controller.abort();
  socket.receive(actorReply('lvmecp', 'i', {}));

  assert.equal(handle.active, false);
  assert.deepEqual(seen, []);
});

test('a handle the gateway refuses ends, its ready rejects, and the others keep working', async (t) => {
  const { client, socket } = openClient(t);
  const good = client.subscribe({ routing: 'reply.broadcast' }, () => {});
  const first = await socket.nextSent(isControl('subscribe'));
  socket.answer(first, {});
  await good.ready;
  const count = socket.sent.length;

  const bad = client.subscribe({ routing: 'reply.#' }, () => {});
  const refused = await socket.nextSent(isControl('subscribe'), count);
  socket.refuseFrame(refused, "no filter named 'routing' is installed (installed: actors, codes)");
  const error = await bad.ready.catch((e) => e);
  await settle();

  assert.deepEqual(refused.filters, { routing: 'reply.broadcast,reply.#' });
  assert.equal(bad.active, false);
  assert.match(error.message, /no filter named 'routing' is installed/);
  assert.equal(good.active, true);
  assert.deepEqual(client.subscriptions, [good]);
});

test('invalid handle filters are refused before anything is sent', async (t) => {
  const { client } = openClient(t);

  assert.throws(() => client.subscribe({ mtach: 'x' }, () => {}), /'mtach' cannot be used in a subscription handle/);
  assert.throws(() => client.subscribe({ codes: 'x' }, () => {}), /not a CLU message code/);
  assert.throws(() => client.subscribe({ actors: 'two words' }, () => {}), /not a valid actor name/);
  assert.throws(() => client.subscribe({ actors: [] }, () => {}), /at least one value/);
  assert.throws(() => client.subscribe({ own: 'maybe' }, () => {}), /true or false/);
  assert.throws(() => client.subscribe({ routing: 'rep*ly' }, () => {}), /wildcard is a whole word/);
  assert.throws(() => client.subscribe({}, 'not a function'), TypeError);
});

test('a handle made before the connection opens travels in the URL, and is ready when it opens', async (t) => {
  const gateway = fakeGateway();
  const client = connect('ws://gw.test/', { WebSocket: gateway.WebSocket });
  t.after(() => client.close());
  const socket = await gateway.nextSocket(0);
  const handle = client.subscribe({ actors: 'lvmecp' }, () => {});
  await settle();

  socket.open(); // the URL was made before the handle: the client subscribes after opening
  const subscribe = await socket.nextSent(isControl('subscribe'));
  socket.answer(subscribe, {});
  await handle.ready;
  socket.drop(1012, 'restart');
  const next = (await gateway.nextSocket(1)).open();
  await settle();

  assert.deepEqual(subscribe.filters, { actors: 'lvmecp' });
  assert.equal(next.params.get('actors'), 'lvmecp');
  assert.equal(next.sent.filter(isControl('subscribe')).length, 0, 'the URL already had it');
});

test('gateway notices reach a handle only with gateway: true; snapshot frames it asked for only it', async (t) => {
  const { client, socket } = openClient(t);
  autoAnswer(socket);
  const plain = [];
  const state = [];
  const a = client.subscribe({ actors: 'lvmecp' }, (f) => plain.push(f));
  const b = client.subscribe({ actors: 'lvmecp', snapshot: true, gateway: true }, (f) => state.push(f));
  await Promise.all([a.ready, b.ready]);

  const request = await socket.nextSent(isControl('snapshot'));
  socket.receive(snapshotFrame('lvmecp', { dome: 'open' }, { commandId: request.command_id }));
  socket.answer(request, { actors: 1 });
  socket.receive(gatewayFrame('w', { broker: 'disconnected', text: 'broker away' }));

  assert.deepEqual(request.actors, ['lvmecp']);
  assert.deepEqual(plain, []);
  assert.deepEqual(
    state.map((f) => (f.headers.snapshot ? 'snapshot' : f.body.control ?? f.body.broker)),
    ['snapshot', 'disconnected'],
  );
});

test('the connection-level subscribe narrows the gateway and the handles fill in other filters', async (t) => {
  const { client, socket } = openClient(t, { filters: { codes: ':f' } });
  autoAnswer(socket);

  const handle = client.subscribe({ actors: 'lvmecp', codes: ':fi' }, () => {});
  await handle.ready;
  const answer = client.subscribe({ internal: 'false' });
  await answer;
  await client.unsubscribe(['codes']);
  await settle();
  await settle();

  const subscribes = socket.sent.filter(isControl('subscribe')).map((f) => f.filters);
  assert.equal(socket.params.get('codes'), ':f');
  assert.deepEqual(subscribes[0], { actors: 'lvmecp' }, 'codes stay the connection filter');
  assert.deepEqual(subscribes[1], { internal: 'false' });
  assert.deepEqual(subscribes.at(-1), { codes: ':fi' }, "after the connection's codes go, the handle's union is sent");
  assert.deepEqual(client.subscription, { internal: 'false' });
});

test('the connection-level subscribe still resolves with the gateway answer and refuses reserved names', async (t) => {
  const { client, socket } = openClient(t);

  const pending = client.subscribe({ actors: 'lvmecp' });
  const frame = await socket.nextSent(isControl('subscribe'));
  socket.answer(frame, { subscription: { actors: ['lvmecp'] } });

  assert.deepEqual((await pending).subscription, { actors: ['lvmecp'] });
  await assert.rejects(client.subscribe({ since: 1 }), /not a filter/);
  await assert.rejects(client.subscribe({ own_replies: 'always' }), /not a filter/);
});
