// The console's connection line in words, in a real headless Chromium against a real gateway that
// the test closes (see ConsoleBrowserIT and browser.js):
//   CLU_WS_PUBLISHER   a test actor whose close-gateway command closes the gateway
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, pageUrl, send, seriousViolations } from './browser.js';

const publisher = process.env.CLU_WS_PUBLISHER;
const skip = pageUrl && publisher ? false : 'set CLU_WS_HTTP_URL and CLU_WS_PUBLISHER to run against a gateway';

let browser;
let page;
const pageErrors = [];

before(async () => {
  if (skip) return;
  browser = await launch();
  page = await openPage(browser, pageErrors);
});

after(async () => {
  await browser?.close();
});

test('close codes are put in words', { skip }, async () => {
  const words = await page.evaluate(async () => {
    const { stateText } = await import('/console/words.js');
    const { describeClose } = await import('/clu-ws.js');
    const closeWords = (detail, { opened } = {}) => describeClose(detail, { opened, withCode: false });
    return {
      shutdown: stateText('reconnecting', { code: 1001, reason: 'server shutting down', delay: 4000 }),
      goingAway: closeWords({ code: 1001, reason: '' }),
      lost: closeWords({ code: 1006, reason: '' }),
      unreachable: closeWords({ code: 1006, reason: 'the connection failed' }, { opened: false }),
      slow: closeWords({ code: 4001, reason: 'too slow; seq=12; message_id=-' }),
      policy: closeWords({ code: 1008, reason: 'client too slow: its outbox stayed full past the deadline' }),
      error: closeWords({ code: 1011, reason: 'keepalive ping timeout' }),
      unknown: closeWords({ code: 4999, reason: '' }),
      waiting: stateText('reconnecting', { code: 1006, delay: 65_000 }, { remaining: 64_200 }),
      closed: stateText('closed', { code: 1008, reason: 'forbidden' }),
    };
  });
  assert.deepEqual(words, {
    shutdown: 'reconnecting in 4 s (the gateway closed the connection: server shutting down)',
    goingAway: 'the gateway is going away',
    lost: 'the connection was lost',
    unreachable: 'could not reach the gateway',
    slow: 'the gateway closed this client for reading too slowly',
    policy: 'the gateway closed the connection (policy): client too slow: its outbox stayed full past the deadline',
    error: 'the gateway hit an unexpected condition: keepalive ping timeout',
    unknown: 'the gateway closed the connection (code 4999)',
    waiting: 'reconnecting in 1 min 5 s (the connection was lost)',
    closed: 'disconnected (the gateway closed the connection (policy): forbidden); reload the page to connect again',
  });
});

test('when the gateway shuts down, the console says so and counts down to the next attempt', { skip }, async () => {
  await page.locator('#connection[data-state="open"]').waitFor();
  // Every text the line shows from now on, however briefly.
  await page.evaluate(() => {
    window.__connection = [];
    const line = document.getElementById('connection');
    const live = document.getElementById('connection-live');
    new MutationObserver(() => window.__connection.push([line.textContent, live.textContent]))
      .observe(line, { childList: true, characterData: true, subtree: true });
  });
  await send(page, `${publisher} close-gateway`);

  await page.waitForFunction(() => window.__connection.some(([t]) => /could not reach the gateway/.test(t)), null, { timeout: 30_000 });
  const seen = await page.evaluate(() => window.__connection);
  const texts = seen.map(([t]) => t);
  const closed = texts.find((t) => t.includes('server shutting down'));
  assert.match(closed ?? JSON.stringify(texts), /^reconnecting in \d+ s \(the gateway closed the connection: server shutting down\)$/);
  assert.ok(seen.some(([t, live]) => t === closed && live === closed), 'screen readers hear it too');
  assert.ok(
    texts.some((t) => /^reconnecting in \d+ s \(could not reach the gateway\)$/.test(t)),
    `an attempt that fails says so: ${JSON.stringify(texts)}`,
  );
  assert.ok(texts.some((t) => /^connecting to 127\.0\.0\.1:\d+ \(attempt \d+\)…$/.test(t)), JSON.stringify(texts));
  assert.equal(await page.locator('#connection').getAttribute('data-state'), 'reconnecting');
});

test('the countdown to the next attempt goes down by the second', { skip }, async () => {
  // The backoff doubles: wait for a delay of several seconds and watch it count.
  await page.waitForFunction(() => /^reconnecting in ([3-9]|\d\d+) s /.test(document.getElementById('connection').textContent), null, { timeout: 60_000 });
  const first = Number(/in (\d+) s/.exec(await page.locator('#connection').textContent())[1]);
  await page.waitForFunction((n) => {
    const m = /^reconnecting in (\d+) s /.exec(document.getElementById('connection').textContent);
    return m && Number(m[1]) < n;
  }, first, { timeout: 5_000 });
  // The live region keeps the words of the state, not every tick.
  assert.match(await page.locator('#connection-live').textContent(), /^reconnecting in \d+ s \(could not reach the gateway\)$/);
});

test('axe finds no serious or critical accessibility problem while disconnected', { skip }, async () => {
  assert.deepEqual(await seriousViolations(page), []);
});

test('the page raised no errors but the failed connection attempts', { skip }, () => {
  // Chromium logs every refused websocket connection as a console error.
  assert.deepEqual(pageErrors.filter((e) => !/WebSocket connection to .* failed/.test(e)), []);
});
