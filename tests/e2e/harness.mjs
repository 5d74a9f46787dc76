// The end-to-end harness: the real server (demo data on a fresh SQLite file) and Debian's
// Chromium, with the demo accounts' one-time passwords read from the server's output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const root = resolve(import.meta.dirname, '../..');

export async function start() {
  const bin = process.env.FUHUA_BIN || join(root, 'target/debug/fuhua');
  const port = 18000 + Math.floor(Math.random() * 1000);
  const base = `http://127.0.0.1:${port}`;
  const work = mkdtempSync(join(tmpdir(), 'fuhua-e2e-'));
  const server = spawn(bin, ['serve', '--demo'], {
    env: {
      ...process.env,
      FUHUA_DATABASE_URL: `sqlite://${work}/fuhua.db?mode=rwc`,
      FUHUA_DATA_DIR: work,
      FUHUA_MAIL_DIR: join(work, 'mail'),
      FUHUA_PUBLIC_ORIGIN: base,
      ROCKET_PORT: String(port),
      ROCKET_LOG_LEVEL: 'critical',
    },
  });
  let out = '';
  server.stdout.on('data', (d) => { out += d; });
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  const passwords = {};
  for (const line of out.split('\n')) {
    const m = line.trim().match(/^(\w+)\s+(\S+@\S+)\s+(\S+)$/);
    // By role (the first account of each role) and by address.
    if (m && !passwords[m[1]]) passwords[m[1]] = { email: m[2], password: m[3] };
    if (m) passwords[m[2]] = { email: m[2], password: m[3] };
  }
  assert.ok(passwords.officer, `demo accounts printed:\n${out}`);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const accessibility = await checkEveryPage(browser);
  return {
    base,
    browser,
    passwords,
    accessibility,
    async stop() {
      await accessibility.settled();
      await browser.close();
      // Wait for the server to be gone before removing its folder: it may still be writing.
      const gone = new Promise((r) => { if (server.exitCode !== null || server.signalCode !== null) r(); else server.once('exit', r); });
      server.kill();
      await gone;
      rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      accessibility.assertClean();
    },
    /** A phone with JavaScript off. */
    async phone() {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false, locale: 'zh-CN' });
      return { context, page: await context.newPage() };
    },
    /** Logs `page` in as the demo account of `role`, starting from `path`. */
    async login(page, role, path) {
      await page.goto(`${base}/login?next=${encodeURIComponent(path)}`);
      await page.fill('#f-email', passwords[role].email);
      await page.fill('#f-password', passwords[role].password);
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    },
  };
}

/** No sideways scrolling, every field labelled. */
export async function checkPhoneLayout(page) {
  // A click that navigates returns before the new page has its stylesheet; measure the page as shown.
  await page.waitForLoadState('load');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  // On failure, name the elements that stick out, to find the culprit.
  const wide = overflow > 0 ? await page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`)) : [];
  assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px) at ${page.url()}: ${wide.join(', ')}`);
  const unlabelled = await page.$$eval('input:not([type=hidden]), select, textarea',
    (els) => els.filter((e) => !e.labels || e.labels.length === 0).map((e) => e.name));
  assert.deepEqual(unlabelled, [], `every field has a label at ${page.url()}`);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on every page the suite visits. Each page, once loaded, is copied (its HTML as
 * served, before the test may act on it again: every action that could navigate waits for
 * the copy) so no state is skipped, whether reached by a link, a form or a refusal. The copy
 * is checked in a scratch page of the same size with the same stylesheets — the suite's
 * pages run with JavaScript off, and axe needs it. Serious and critical violations fail the
 * file when its server stops.
 */
async function checkEveryPage(browser) {
  const found = [];
  const checked = new Set();
  const pending = new WeakMap();
  const all = new Set();
  const scratch = new Map();
  let queue = Promise.resolve();
  const probe = await browser.newContext();
  const sample = await probe.newPage();
  const pageProto = Object.getPrototypeOf(sample);
  const contextProto = Object.getPrototypeOf(probe);
  const locatorProto = Object.getPrototypeOf(sample.locator('body'));
  const keyboardProto = Object.getPrototypeOf(sample.keyboard);
  await probe.close();
  // The check itself must not wait for itself.
  const { content, evaluate, setContent } = pageProto;
  const newPage = contextProto.newPage;
  const scratchFor = async ({ width, height }) => {
    const key = `${width}x${height}`;
    if (!scratch.has(key)) {
      const context = await browser.newContext({ viewport: { width, height } });
      scratch.set(key, await newPage.call(context));
    }
    return scratch.get(key);
  };
  const check = async (url, html, viewport) => {
    const page = await scratchFor(viewport);
    const base = `<base href="${url.replace(/"/g, '&quot;')}">`;
    await setContent.call(page, html.replace(/<head([^>]*)>/i, (m) => m + base), { waitUntil: 'load' });
    await evaluate.call(page, axeSource);
    const result = await evaluate.call(page, () => globalThis.axe.run(document, { resultTypes: ['violations'] }));
    checked.add(url);
    for (const v of result.violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue;
      const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ');
      found.push(`${url}: ${v.id} (${v.impact}) ${v.help} at ${where}`);
    }
  };
  const copy = async (page) => {
    const url = page.url();
    let html;
    try {
      html = await content.call(page);
    } catch (e) {
      // Closed or navigated on before it could be copied (a page the test still holds
      // cannot: every action on it waits for the copy).
      if (/closed|destroyed|navigat|Target/.test(String(e))) return;
      throw e;
    }
    // A download or a PDF is not a page.
    if (!/<html/i.test(html) || url.startsWith('about:')) return;
    const viewport = page.viewportSize() || { width: 1280, height: 720 };
    queue = queue.then(() => check(url, html, viewport)).catch((e) => { found.push(`${url}: not checked: ${e.message}`); });
    all.add(queue);
  };
  const watch = (page) => {
    page.on('load', () => pending.set(page, copy(page)));
  };
  const ownerOf = new WeakMap();
  const wrap = (proto, names, pageOf) => {
    for (const name of names) {
      const original = proto[name];
      if (typeof original !== 'function' || original.axeWrapped) continue;
      const wrapped = async function (...args) {
        const page = pageOf(this);
        if (page && pending.has(page)) await pending.get(page);
        return original.apply(this, args);
      };
      wrapped.axeWrapped = true;
      proto[name] = wrapped;
    }
  };
  const actions = ['click', 'fill', 'press', 'check', 'uncheck', 'selectOption', 'setInputFiles', 'goto',
    'textContent', 'inputValue', 'isVisible', 'isChecked', 'isDisabled', 'getAttribute', 'waitForSelector',
    'evaluate', '$$eval', '$eval', '$', '$$', 'screenshot', 'content', 'close', 'reload', 'goBack', 'dblclick', 'type'];
  wrap(pageProto, actions, (p) => p);
  wrap(locatorProto, actions, (l) => l.page());
  wrap(keyboardProto, ['press', 'type', 'down', 'up', 'insertText'], (k) => ownerOf.get(k));
  contextProto.newPage = async function (...args) {
    const page = await newPage.apply(this, args);
    ownerOf.set(page.keyboard, page);
    watch(page);
    return page;
  };
  // browser.newPage() goes through a context of its own, so it is watched too.
  return {
    checked,
    async settled() {
      await Promise.allSettled([...all]);
      await queue;
    },
    assertClean() {
      console.log(`# axe-core: ${checked.size} page states checked, ${found.length} serious or critical violations`);
      assert.ok(checked.size > 0, 'axe-core checked at least one page');
      assert.deepEqual(found, [], `axe-core found serious or critical violations on ${checked.size} pages checked`);
    },
  };
}
