// Tokens against a fake socket: the subprotocol by default, the query only when asked, and a
// getToken() callback asked at every (re)connect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../src/clu-ws.js';
import { fakeGateway, stateOf } from './fake-socket.js';

const fast = { initialDelay: 1, jitter: 0 };

test('a token goes in the bearer subprotocol, beside clu-ws, and never in the URL', async (t) => {
  const gateway = fakeGateway();
  const client = connect('ws://gw.test/', { WebSocket: gateway.WebSocket, token: 'tok-123' });
  t.after(() => client.close());

  const socket = await gateway.nextSocket(0);

  assert.deepEqual(socket.protocols, ['clu-ws', 'bearer.tok-123']);
  assert.equal(socket.params.has('token'), false);
  assert.doesNotMatch(client.url, /tok-123/);
});

test('without a token no subprotocol is offered (a CLU server would refuse one it does not echo)', async (t) => {
  const gateway = fakeGateway();
  const client = connect('ws://gw.test/', { WebSocket: gateway.WebSocket });
  t.after(() => client.close());

  const socket = await gateway.nextSocket(0);

  assert.deepEqual(socket.protocols, []);
});

test("tokenIn: 'query' sends the token as ?token= and offers no subprotocol", async (t) => {
  const gateway = fakeGateway();
  const client = connect('ws://gw.test/', { WebSocket: gateway.WebSocket, token: 'tok-123', tokenIn: 'query' });
  t.after(() => client.close());

  const socket = await gateway.nextSocket(0);

  assert.equal(socket.params.get('token'), 'tok-123');
  assert.deepEqual(socket.protocols, []);
});

test('getToken is called at every connect and reconnect, and its token is the one sent', async (t) => {
  const gateway = fakeGateway();
  let calls = 0;
  const client = connect('ws://gw.test/', {
    WebSocket: gateway.WebSocket,
    ...fast,
    token: 'static-token-is-ignored',
    getToken: async () => `jwt-${++calls}`,
  });
  t.after(() => client.close());

  const first = (await gateway.nextSocket(0)).open();
  first.drop(1001, 'going away');
  const second = await gateway.nextSocket(1);

  assert.equal(calls, 2);
  assert.deepEqual(first.protocols, ['clu-ws', 'bearer.jwt-1']);
  assert.deepEqual(second.protocols, ['clu-ws', 'bearer.jwt-2']);
});

test('a getToken that fails counts as a failed attempt, says why, and is asked again', async (t) => {
  const gateway = fakeGateway();
  let calls = 0;
  const client = connect('ws://gw.test/', {
    WebSocket: gateway.WebSocket,
    ...fast,
    getToken: () => {
      calls++;
      if (calls === 1) return Promise.reject(new Error('the identity provider is down'));
      return 'fresh';
    },
  });
  t.after(() => client.close());

  const detail = await stateOf(client, 'reconnecting');
  const socket = await gateway.nextSocket(0);

  assert.equal(detail.reason, 'getToken() failed: the identity provider is down');
  assert.equal(detail.attempt, 1);
  assert.deepEqual(socket.protocols, ['clu-ws', 'bearer.fresh']);
});

test('a getToken that throws synchronously or gives a non-string is a failed attempt too', async (t) => {
  const gateway = fakeGateway();
  const results = [
    () => {
      throw new Error('boom');
    },
    () => 42,
    () => null, // no token: connect without one
  ];
  const client = connect('ws://gw.test/', { WebSocket: gateway.WebSocket, ...fast, getToken: () => results.shift()() });
  t.after(() => client.close());
  const reasons = [];
  client.onState((state, detail) => {
    if (state === 'reconnecting') reasons.push(detail.reason);
  });

  const socket = await gateway.nextSocket(0);

  assert.deepEqual(reasons, ['getToken() failed: boom', 'getToken() gave a number, not a string']);
  assert.deepEqual(socket.protocols, []);
});

test('a token a subprotocol cannot carry fails the attempt with a reason naming the fix', async (t) => {
  const gateway = fakeGateway();
  const client = connect('ws://gw.test/', { WebSocket: gateway.WebSocket, token: 'has space', maxAttempts: 1, initialDelay: 1 });

  const detail = await stateOf(client, 'closed');

  assert.match(detail.reason, /cannot carry; pass tokenIn: 'query'/);
  assert.equal(gateway.sockets.length, 0);
});

test('close() while getToken is pending opens nothing', async (t) => {
  const gateway = fakeGateway();
  let release;
  const client = connect('ws://gw.test/', {
    WebSocket: gateway.WebSocket,
    getToken: () => new Promise((resolve) => (release = resolve)),
  });

  client.close();
  release('late');
  await new Promise((resolve) => setTimeout(resolve, 10));

  assert.equal(gateway.sockets.length, 0);
  assert.equal(client.state, 'closed');
});

test('bad options are refused at once', () => {
  const gateway = fakeGateway();
  assert.throws(() => connect('ws://gw.test/', { WebSocket: gateway.WebSocket, tokenIn: 'header' }), /tokenIn/);
  assert.throws(() => connect('ws://gw.test/', { WebSocket: gateway.WebSocket, getToken: 'x' }), /getToken/);
});
