// 待办 in Chromium: every role lands on its own to-do page after logging in, on a phone and
// on a desktop; nothing is wider than the screen; each item links to a page that opens; the
// navigation's number matches the page's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { start, root, checkPhoneLayout } from './harness.mjs';

let h;
before(async () => { h = await start(); });
after(async () => { await h.stop(); });

const ROLES = ['officer', 'provider@fuhua.local', 'ngo_member', 'hub_manager', 'expert', 'evaluator'];

/** Logs in from the bare login page (no `next`), as a user would after typing the address. */
async function loginPlain(page, role) {
  await page.goto(`${h.base}/login`);
  await page.fill('#f-email', h.passwords[role].email);
  await page.fill('#f-password', h.passwords[role].password);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

async function noneWiderThanTheScreen(page) {
  const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`));
  assert.deepEqual(wide, [], `nothing wider than the screen at ${page.url()}`);
}

/** The page's own number of waiting steps, and the navigation's. */
async function numbers(page) {
  const sections = await page.$$eval('section.todo:not(.todo-info) h2 .badge', (b) => b.map((x) => Number(x.textContent)));
  const nav = await page.$eval('nav a[href="/todo"]', (a) => a.querySelector('.badge')?.textContent ?? '0');
  return { page: sections.reduce((a, b) => a + b, 0), nav: Number(nav) };
}

for (const role of ROLES) {
  test(`${role}: lands on the to-do page, phone and desktop, and its items lead somewhere`, async () => {
    for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 900 }]) {
      const context = await h.browser.newContext({ viewport, javaScriptEnabled: viewport.width > 400, locale: 'zh-CN' });
      const page = await context.newPage();
      await loginPlain(page, role);
      assert.equal(new URL(page.url()).pathname, '/todo', 'login lands on 待办');
      assert.equal((await page.textContent('h1')).trim(), '待办事项');
      await page.waitForLoadState('load');
      if (viewport.width < 400) await checkPhoneLayout(page);
      await noneWiderThanTheScreen(page);
      const n = await numbers(page);
      assert.equal(n.nav, n.page, 'the navigation counts what the page lists');
      const links = await page.$$eval('.todo-what', (as) => as.map((a) => a.getAttribute('href')));
      if (links.length === 0) {
        const lead = await page.textContent('.lead');
        assert.ok(lead.length > 10, 'an empty page says so in a sentence');
      } else {
        const r = await page.goto(h.base + links[0]);
        assert.ok(r.ok(), `${links[0]} opens (${r.status()})`);
        assert.ok(!new URL(page.url()).pathname.startsWith('/login'), 'the item is the account\'s to see');
      }
      await context.close();
    }
  });
}

test('a visitor is sent to log in, and comes back to 待办', async () => {
  const context = await h.browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${h.base}/todo`);
  assert.ok(new URL(page.url()).pathname.startsWith('/login'), page.url());
  await context.close();
});

test('screenshots of each role\'s to-do page for the README', { skip: !process.env.SCREENSHOTS }, async () => {
  const dir = join(root, 'docs/screenshots');
  mkdirSync(dir, { recursive: true });
  for (const role of ['officer', 'provider@fuhua.local', 'hub_manager', 'expert', 'evaluator']) {
    const name = role.split('@')[0].replace('_', '-');
    for (const [suffix, viewport] of [['', { width: 1280, height: 900 }], ['-phone', { width: 390, height: 844 }]]) {
      const context = await h.browser.newContext({ viewport, locale: 'zh-CN' });
      const page = await context.newPage();
      await loginPlain(page, role);
      await page.screenshot({ path: join(dir, `todo-${name}${suffix}.png`), fullPage: true });
      await context.close();
    }
  }
});
