// The web console in a real headless Chromium (Debian's, never a downloaded browser), driven by
// playwright-core, against a real gateway and CLU test actor:
//   CLU_WS_HTTP_URL   the gateway's console page, e.g. http://127.0.0.1:9876/
//   CLU_WS_ACTOR      a CLU test actor (answers ping with "Pong." and broadcasts now and then)
//   CLU_WS_CHROMIUM   the browser (default /usr/bin/chromium)
//   CLU_WS_SCREENSHOT where to save a screenshot of the console (optional)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

const pageUrl = process.env.CLU_WS_HTTP_URL;
const actor = process.env.CLU_WS_ACTOR;
const executablePath = process.env.CLU_WS_CHROMIUM ?? '/usr/bin/chromium';
const screenshot = process.env.CLU_WS_SCREENSHOT;
const skip = pageUrl && actor ? false : 'set CLU_WS_HTTP_URL and CLU_WS_ACTOR to run against a gateway';
const WAIT = 15_000;

let browser;
let page;
const pageErrors = [];

before(async () => {
  if (skip) return;
  const { chromium } = await import('playwright-core');
  // playwright starts the browser with a fresh temporary profile of its own.
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && pageErrors.push(`HTTP ${r.status()} for ${r.url()}`));
  await page.goto(pageUrl);
});

after(async () => {
  if (page && screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  await browser?.close();
});

test('the console connects to the gateway', { skip }, async () => {
  await page.locator('#state[data-state="open"]').waitFor();
  assert.match(await page.locator('#state').textContent(), /connected/);
});

test('a broadcast from the actor appears in the reply stream', { skip }, async () => {
  const row = page.locator(`#stream .reply[data-sender="${actor}"][data-code="i"]`).first();
  await row.waitFor();
  assert.match(await row.locator('.body').textContent(), /heartbeat=\d+/);
});

test('ping to the actor shows a card that turns done with Pong.', { skip }, async () => {
  await send(`${actor} ping`);

  const card = page.locator('#cards .card').filter({ hasText: `${actor} ping` }).first();
  await card.locator('xpath=self::*[@data-status="done"]').waitFor();
  assert.equal(await card.locator('.status').textContent(), 'done');
  assert.match(await card.locator('.card-replies').textContent(), /text=Pong\./);
  assert.deepEqual(await card.locator('.card-replies .code').allTextContents(), ['>', ':']);
});

test('a command to an actor that is not running shows a failed card', { skip }, async () => {
  const nobody = `nobody-${process.pid}`;
  await send(`${nobody} ping`);

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

test('filtering by message code in the form subscribes the connection to those codes', { skip }, async () => {
  await page.locator('#filters summary').click();
  await page.getByRole('checkbox', { name: /done/ }).check();
  await page.getByRole('checkbox', { name: /failed/ }).check();
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.locator('#filter-status', { hasText: 'showing codes :f' }).waitFor();

  await send(`${actor} status`);
  const card = page.locator('#cards .card').filter({ hasText: `${actor} status` }).first();
  await card.locator('xpath=self::*[@data-status="done"]').waitFor();
  // The gateway dropped the '>' and 'i' replies: only the ':' reached the page.
  assert.deepEqual(await card.locator('.card-replies .code').allTextContents(), [':']);

  await page.getByRole('button', { name: 'Show everything' }).click();
  await page.locator('#filter-status', { hasText: 'showing everything' }).waitFor();
  await send(`${actor} status`);
  const next = page.locator('#cards .card').first();
  await next.locator('xpath=self::*[@data-status="done"]').waitFor();
  assert.deepEqual(await next.locator('.card-replies .code').allTextContents(), ['>', 'i', ':']);
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

test('the page raised no errors', { skip }, () => {
  assert.deepEqual(pageErrors, []);
});

async function send(line) {
  const input = page.getByRole('textbox', { name: /^Command/ });
  await input.fill(line);
  await input.press('Enter');
}
