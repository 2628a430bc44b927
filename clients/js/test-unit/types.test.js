// The TypeScript declarations (src/clu-ws.d.ts) cannot drift from the code: a consumer program
// compiles against them with `tsc --strict` (through the package's own `exports`) and runs against
// a fake socket; the declarations compile without the DOM library; and their exports and class
// members are the module's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as client from '../src/clu-ws.js';
import { actorReply, fakeGateway, gatewayFrame, snapshotFrame } from './fake-socket.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** TypeScript, from the dev dependencies (`npm ci`); missing, the tests fail and say so. */
function typescript() {
  try {
    return { ts: require('typescript'), tsc: require.resolve('typescript/bin/tsc') };
  } catch (e) {
    throw new Error(`TypeScript is not installed: run 'npm ci' in clients/js (${e.message})`);
  }
}

function tsc(args) {
  const { tsc: bin } = typescript();
  try {
    return execFileSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc ${args.join(' ')} failed:\n${e.stdout}${e.stderr}`);
  }
}

test('a strict TypeScript consumer compiles against the declarations and runs against the client', async (t) => {
  const out = mkdtempSync(join(root, '.tsbuild-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));

  tsc(['--project', 'test-unit/types/tsconfig.json', '--outDir', out]);
  const consumer = await import(pathToFileURL(join(out, 'consumer.js')).href);
  const gateway = fakeGateway();
  const outcome = await consumer.run(gateway.WebSocket, async () => {
    const socket = await gateway.nextSocket(0); // made after getToken(): the handle is in its URL
    socket.open();
    socket.receive(actorReply('lvmecp', 'i', { temperature: 9.1, dome: 'open' }));
    socket.receive(actorReply('lvmnps', 'i', { temperature: 30 }));
    const status = await socket.nextSent((f) => f.command_string === 'status');
    socket.receive(actorReply('lvmecp', '>', {}, { commandId: status.command_id }));
    socket.receive(actorReply('lvmecp', ':', {}, { commandId: status.command_id }));
    const open = await socket.nextSent((f) => f.command_string === 'open');
    socket.receive(actorReply('lvmecp', 'f', { error: 'stuck' }, { commandId: open.command_id }));
    // answer the calls after `served`: the connection filter and a snapshot
    socket.nextSent((f) => f.control === 'unsubscribe').then((f) => socket.answer(f, {}));
    socket.nextSent((f) => f.control === 'subscribe' && f.filters.internal !== undefined).then((f) =>
      socket.answer(f, { subscription: { internal: ['false'] } }),
    );
    socket.nextSent((f) => f.control === 'snapshot').then((f) => {
      socket.receive(snapshotFrame('lvmecp', { temperature: 9.2 }, { commandId: f.command_id }));
      socket.receive(gatewayFrame(':', { control: 'snapshot', actors: 1, text: 'snapshot of 1 actor sent' }, { commandId: f.command_id }));
    });
  });

  assert.deepEqual(outcome.temperatures, [9.1]);
  assert.deepEqual(outcome.replies, ['>', ':']);
  assert.equal(outcome.failure, 'failed');
  assert.equal(outcome.aborted, 'aborted');
  assert.deepEqual(outcome.states, ['connecting', 'open', 'closed']);
  assert.doesNotMatch(outcome.url, /jwt-token/);
  assert.deepEqual(gateway.sockets[0].protocols, ['clu-ws', 'bearer.jwt-token']);
  assert.equal(gateway.sockets[0].params.get('actors'), 'lvmecp');
});

test('the declarations compile on their own, without the DOM or Node types', () => {
  tsc(['--project', 'test-unit/types/tsconfig.standalone.json']);
});

test("the declarations export what the module exports, and declare each class's public members", () => {
  const { ts } = typescript();
  const file = join(root, 'src', 'clu-ws.d.ts');
  const program = ts.createProgram([file], { strict: true, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(file));
  const declared = checker.getExportsOfModule(module);
  const values = declared
    .filter((s) => s.flags & (ts.SymbolFlags.Value))
    .map((s) => s.name)
    .sort();

  assert.deepEqual(values, Object.keys(client).sort());

  const membersOf = (name) => {
    const symbol = declared.find((s) => s.name === name);
    const instance = checker.getDeclaredTypeOfSymbol(symbol);
    return checker
      .getPropertiesOfType(instance)
      .filter((p) => !(ts.getCombinedModifierFlags(p.valueDeclaration ?? p.declarations[0]) & ts.ModifierFlags.Private))
      .map((p) => p.name)
      .sort();
  };
  const runtime = (prototype, instanceKeys = []) =>
    [...new Set([...Object.getOwnPropertyNames(prototype), ...instanceKeys])]
      .filter((n) => n !== 'constructor' && n !== 'end') // end(): internal
      .sort();
  const gateway = fakeGateway();
  const c = client.connect('ws://gw.test/', { WebSocket: gateway.WebSocket });
  const handle = c.subscribe({ actors: 'x' }, () => {});
  c.close();

  assert.deepEqual(membersOf('CluWsClient'), runtime(client.CluWsClient.prototype));
  assert.deepEqual(membersOf('Subscription'), runtime(client.Subscription.prototype, Object.keys(handle)));
  const error = new client.CommandError('x');
  const errorMembers = membersOf('CommandError').filter((n) => !['message', 'stack', 'cause'].includes(n));
  assert.deepEqual(errorMembers, [...Object.keys(error)].sort());
});
