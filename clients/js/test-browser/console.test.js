// The web console in a real headless Chromium (Debian's, never a downloaded browser), driven by
// playwright-core, against a real gateway and CLU test actor (see browser.js for the rest):
//   CLU_WS_ACTOR      a CLU test actor (answers ping with "Pong." and broadcasts now and then)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, openPage, pageUrl, screenshot, send, seriousViolations, NARROW, WAIT, WIDE,
} from './browser.js';

const actor = process.env.CLU_WS_ACTOR;
const skip = pageUrl && actor ? false : 'set CLU_WS_HTTP_URL and CLU_WS_ACTOR to run against a gateway';

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

test('the console connects to the gateway', { skip }, async () => {
  await page.locator('#connection[data-state="open"]').waitFor();
  assert.match(await page.locator('#connection').textContent(), /^connected to 127\.0\.0\.1:\d+$/);
  assert.match(await page.locator('#connection-live').textContent(), /^connected to /);
});

test('a broadcast from the actor appears in the reply stream', { skip }, async () => {
  const row = page.locator(`#stream .reply[data-sender="${actor}"][data-code="i"]`).first();
  await row.waitFor();
  assert.match(await row.locator('.body').textContent(), /heartbeat=\d+/);
});

test('ping to the actor shows a card that turns done with Pong.', { skip }, async () => {
  await send(page, `${actor} ping`);

  const card = page.locator('#cards .card').filter({ hasText: `${actor} ping` }).first();
  await card.locator('xpath=self::*[@data-status="done"]').waitFor();
  assert.equal(await card.locator('.status').textContent(), 'done');
  assert.match(await card.locator('.card-replies').textContent(), /text=Pong\./);
  assert.deepEqual(await card.locator('.card-replies .code').allTextContents(), ['>', ':']);
});

test('a command to an actor that is not running shows a failed card', { skip }, async () => {
  const nobody = `nobody-${process.pid}`;
  await send(page, `${nobody} ping`);

  const card = page.locator('#cards .card').filter({ hasText: `${nobody} ping` }).first();
  await card.locator('xpath=self::*[@data-status="failed"]').waitFor();
  assert.equal(await card.locator('.status').textContent(), 'failed');
  assert.match(await card.textContent(), /Failed routing message to consumer/);
});

test('the up arrow recalls the previous command', { skip }, async () => {
  const input = page.getByRole('textbox', { name: /^Command/ });
  await input.focus();
  await input.press('ArrowUp');

  assert.equal(await input.inputValue(), `nobody-${process.pid} ping`);
  await input.fill('');
});

test('filtering by message code narrows the stream; command cards and the state view keep every reply', { skip }, async () => {
  await page.locator('#filters summary').click();
  await page.getByRole('checkbox', { name: /done/ }).check();
  await page.getByRole('checkbox', { name: /failed/ }).check();
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.locator('#filter-status', { hasText: 'showing codes :f' }).waitFor();
  await page.getByRole('button', { name: 'Clear' }).click();

  await send(page, `${actor} status`);
  const card = page.locator('#cards .card').filter({ hasText: `${actor} status` }).first();
  await card.locator('xpath=self::*[@data-status="done"]').waitFor();
  assert.deepEqual(await card.locator('.card-replies .code').allTextContents(), ['>', 'i', ':']);
  // The heartbeats go on in the state view (two more of them) …
  const beat = () => page.evaluate(
    (name) => Number(document.querySelector(`#state-cards .actor[data-actor="${name}"] .kv[data-keyword="heartbeat"] dd`)?.textContent ?? -1),
    actor,
  );
  await page.getByRole('tab', { name: 'State' }).click();
  const first = await beat();
  await page.waitForFunction(
    ([name, n]) => Number(document.querySelector(`#state-cards .actor[data-actor="${name}"] .kv[data-keyword="heartbeat"] dd`)?.textContent) >= n + 2,
    [actor, first],
  );
  await page.getByRole('tab', { name: 'Replies' }).click();
  // … but not in the stream, which shows only the ':' of the command.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
  assert.deepEqual(await page.locator('#stream .reply').evaluateAll((rows) => rows.map((r) => r.dataset.code)), [':']);

  await page.getByRole('button', { name: 'Show everything' }).click();
  await page.locator('#filter-status', { hasText: 'showing everything' }).waitFor();
  await page.locator(`#stream .reply[data-sender="${actor}"][data-code="i"]`).first().waitFor();
});

test('pause holds new replies back until resume shows them', { skip }, async () => {
  await page.getByRole('button', { name: 'Pause' }).click();
  const shown = await page.locator('#stream .reply').count();

  // The actor keeps broadcasting: they are held, not shown.
  await page.locator('#stream-info', { hasText: /^paused, [1-9]\d* new held$/ }).waitFor();
  assert.equal(await page.locator('#stream .reply').count(), shown);

  await page.getByRole('button', { name: 'Resume' }).click();
  await page.waitForFunction(
    (n) => document.querySelectorAll('#stream .reply').length > n,
    shown,
    { timeout: WAIT },
  );
});

test('the message column starts at the same place whatever the length of the sender', { skip }, async () => {
  // The gateway answers a command to an actor that is not running: a row with its own, shorter name.
  const nobody = `nobody-${process.pid}`;
  await send(page, `${nobody} ping`);
  await page.locator('#cards .card').filter({ hasText: `${nobody} ping` }).first()
    .locator('xpath=self::*[@data-status="failed"]').waitFor();
  await page.locator('#stream .reply[data-code="f"]').first().waitFor();
  const lefts = await page.locator('#stream .reply').evaluateAll((rows) => {
    const bySender = new Map();
    for (const row of rows) bySender.set(row.dataset.sender, Math.round(row.querySelector('.body').getBoundingClientRect().left));
    return [...bySender];
  });
  assert.ok(lefts.length >= 2, `rows of two senders at least: ${JSON.stringify(lefts)}`);
  assert.equal(new Set(lefts.map(([, left]) => left)).size, 1, JSON.stringify(lefts));
});

test('clearing the stream shows a hint where the replies will appear', { skip }, async () => {
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByRole('button', { name: 'Clear' }).click();
  const hint = page.locator('#stream-empty');
  await hint.waitFor();
  assert.match(await hint.textContent(), /^Paused: \d+ new repl(y|ies) held until you resume\.$/);
  await page.getByRole('button', { name: 'Resume' }).click();
  await hint.waitFor({ state: 'hidden' });
  assert.ok((await page.locator('#stream .reply').count()) > 0);
});

test('arrow keys, Home and End switch between the replies and the state tabs', { skip }, async () => {
  const replies = page.getByRole('tab', { name: 'Replies' });
  const state = page.getByRole('tab', { name: 'State' });
  await page.getByRole('button', { name: 'Send' }).focus();
  // From the command box, Tab reaches the selected tab (the other one is out of the tab order).
  await page.keyboard.press('Tab');
  assert.equal(await replies.evaluate((t) => t === document.activeElement), true);
  assert.notEqual(await replies.evaluate((t) => getComputedStyle(t).outlineStyle), 'none', 'focus is visible');

  await page.keyboard.press('ArrowRight');
  assert.equal(await state.getAttribute('aria-selected'), 'true');
  assert.equal(await state.evaluate((t) => t === document.activeElement), true);
  assert.equal(await page.locator('#view-state').isVisible(), true);
  assert.equal(await page.locator('#view-replies').isVisible(), false);
  assert.match(page.url(), /[?&]view=state/);

  await page.keyboard.press('ArrowRight'); // wraps around
  assert.equal(await replies.getAttribute('aria-selected'), 'true');
  await page.keyboard.press('End');
  assert.equal(await state.getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Home');
  assert.equal(await replies.getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await state.getAttribute('aria-selected'), 'true');
  assert.equal(await replies.getAttribute('tabindex'), '-1');

  // The actor's broadcasts are in the state view.
  const card = page.locator(`#state-cards .actor[data-actor="${actor}"]`);
  await card.waitFor();
  assert.match(await card.locator('.kv[data-keyword="heartbeat"] dd').textContent(), /^\d+$/);

  await page.keyboard.press('Home');
  assert.equal(await page.locator('#view-replies').isVisible(), true);
});

test('axe finds no serious or critical accessibility problem, light or dark, on either tab', { skip }, async () => {
  const found = [];
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const tab of ['Replies', 'State']) {
      await page.getByRole('tab', { name: tab }).click();
      for (const v of await seriousViolations(page)) found.push(`${scheme}, ${tab}: ${v}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('tab', { name: 'Replies' }).click();
  assert.deepEqual(found, []);
});

test('screenshots of the stream and of a command card', { skip }, async () => {
  await send(page, `${actor} status`);
  const card = page.locator('#cards .card').first();
  await card.locator('xpath=self::*[@data-status="done"]').waitFor();
  await screenshot(page, 'command-card', card);
  await page.locator('#filters').evaluate((details) => { details.open = false; });
  await screenshot(page, 'stream-wide-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'stream-wide-dark');
  // Narrow: one column, the stream below the commands.
  await page.setViewportSize(NARROW);
  await screenshot(page, 'stream-narrow-dark', undefined, { fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, 'stream-narrow-light', undefined, { fullPage: true });
  await page.setViewportSize(WIDE);
});

test('the page raised no errors', { skip }, () => {
  assert.deepEqual(pageErrors, []);
});
