// The console's state view against a real gateway that keeps no state (--state-actors 0), with a
// CLU test actor that broadcasts a heartbeat (see ConsoleBrowserIT and browser.js):
//   CLU_WS_ACTOR   the actor
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, pageUrl } from './browser.js';

const actor = process.env.CLU_WS_ACTOR;
const skip = pageUrl && actor ? false : 'set CLU_WS_HTTP_URL and CLU_WS_ACTOR to run against a gateway';

let browser;
let page;
const pageErrors = [];

before(async () => {
  if (skip) return;
  browser = await launch();
  page = await openPage(browser, pageErrors, { url: `${pageUrl}?view=state` });
});

after(async () => {
  await browser?.close();
});

test('the state view says the gateway has no snapshot, and the console stays connected', { skip }, async () => {
  await page.locator('#state-source', { hasText: /^No snapshot/ }).waitFor();
  assert.match(
    await page.locator('#state-source').textContent(),
    /^No snapshot \(.*keeps no state.*\); values appear as the actors reply\.$/,
  );
  assert.equal(await page.locator('#connection').getAttribute('data-state'), 'open');
});

test('the actor\'s replies fill the state view all the same', { skip }, async () => {
  const cell = page.locator(`#state-cards .actor[data-actor="${actor}"] .kv[data-keyword="heartbeat"] dd`);
  await cell.waitFor();
  const first = Number(await cell.textContent());
  await page.waitForFunction(
    ([name, n]) => Number(document.querySelector(`#state-cards .actor[data-actor="${name}"] .kv[data-keyword="heartbeat"] dd`).textContent) > n,
    [actor, first],
  );
});

test('the page raised no errors', { skip }, () => {
  assert.deepEqual(pageErrors, []);
});
