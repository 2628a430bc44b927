// own_replies=always (the client's default): replies to its own commands pass its filters, so a
// command always ends, whatever the subscription. Against a real gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actor, codes, needsGateway, openClient } from './helpers.js';

test('a command resolves with all its replies although the connection filters hide them from others', needsGateway, async (t) => {
  const client = await openClient(t, { filters: { codes: ':' } });
  const other = await openClient(t);
  const seen = [];
  client.onReply((f) => seen.push(f));

  const theirs = await other.command(actor, 'ping');
  const replies = await client.command(actor, 'status');

  assert.equal(new URL(client.url).searchParams.get('own_replies'), 'always');
  assert.equal(codes(replies), '>i:');
  const id = theirs[0].headers.command_id;
  assert.equal(codes(seen.filter((f) => f.headers?.command_id === id)), ':', 'the filter still applies to others');
});

test('a command ends although a subscription handle narrows the gateway to keywords its replies lack', needsGateway, async (t) => {
  const client = await openClient(t);
  const handle = client.subscribe({ actors: actor, keywords: 'heartbeat' }, () => {});
  await handle.ready;

  const replies = await client.command(actor, 'ping', { timeout: 10_000 });

  assert.equal(codes(replies), '>:');
});
