// What the console's browser tests share: Debian's Chromium started by playwright-core (never a
// downloaded browser), a page that records its errors, screenshots and the axe-core pass.
//   CLU_WS_HTTP_URL     the gateway's console page, e.g. http://127.0.0.1:9876/
//   CLU_WS_CHROMIUM     the browser (default /usr/bin/chromium)
//   CLU_WS_SCREENSHOTS  a folder for screenshots (optional)
import { createRequire } from 'node:module';
import path from 'node:path';

export const pageUrl = process.env.CLU_WS_HTTP_URL;
export const WAIT = 15_000;
const executablePath = process.env.CLU_WS_CHROMIUM ?? '/usr/bin/chromium';
const screenshots = process.env.CLU_WS_SCREENSHOTS;
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export const WIDE = { width: 1280, height: 860 };
export const NARROW = { width: 390, height: 844 };

/** Starts the browser. */
export async function launch() {
  const { chromium } = await import('playwright-core');
  // playwright starts the browser with a fresh temporary profile of its own.
  return chromium.launch({
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
}

/** A new page that collects uncaught errors, console errors and failed requests in `errors`. */
export async function openPage(browser, errors, { url = pageUrl, viewport = WIDE } = {}) {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()} for ${r.url()}`));
  await page.goto(url);
  return page;
}

/** Saves a screenshot of the page (or of `locator`) as <name>.png when a folder is given. */
export async function screenshot(page, name, locator, { fullPage = false } = {}) {
  if (!screenshots) return;
  const file = path.join(screenshots, `${name}.png`);
  if (locator) await locator.screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage });
}

/**
 * Runs axe-core on the page and returns its serious and critical violations, each as
 * "<rule>: <element> (<summary>)", so that a failing assertion says what to fix.
 */
export async function seriousViolations(page, context) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async (ctx) => {
    const result = await window.axe.run(ctx ?? document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} (${n.failureSummary.replace(/\s+/g, ' ')})`),
    }));
  }, context);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n}`));
}

/** Types a command into the console's command box and sends it. */
export async function send(page, line) {
  const input = page.getByRole('textbox', { name: /^Command/ });
  await input.fill(line);
  await input.press('Enter');
}

/** The card of the newest command whose text is `text`, once it has the status `status`. */
export async function finishedCard(page, text, status = 'done', timeout = WAIT) {
  const card = page.locator('#cards .card').filter({ hasText: text }).first();
  await card.locator(`xpath=self::*[@data-status="${status}"]`).waitFor({ timeout });
  return card;
}
