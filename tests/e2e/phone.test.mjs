// End-to-end: every page with a table, on a small phone (360 px wide) with JavaScript off. The header
// is one line (the name and a menu), each table row is a card with each cell under its column's name
// (the cell's data-label), nothing is cut off or wider than the screen; on a desktop tables stay tables.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { start, checkPhoneLayout } from './harness.mjs';

let h;

before(async () => { h = await start(); });
after(async () => { await h?.stop(); });

const PHONE = { width: 360, height: 740 };

/** A new 360 px wide phone, JavaScript off, logged in as `role` (a role or a demo address). */
async function phone(role, path = '/todo') {
  const context = await h.browser.newContext({ viewport: PHONE, javaScriptEnabled: false, locale: 'zh-CN' });
  const page = await context.newPage();
  await h.login(page, role, path);
  return { context, page };
}

/** The links of the main navigation (hidden in the closed menu on a phone, but in the page). */
async function navLinks(page) {
  return page.$$eval('header.top nav a', (as) => as.map((a) => a.getAttribute('href')));
}

/** The first link in `main` whose address matches `pattern`, or null. */
async function firstLink(page, pattern) {
  const hrefs = await page.$$eval('main a[href]', (as) => as.map((a) => a.getAttribute('href')));
  return hrefs.find((href) => pattern.test(href)) ?? null;
}

async function visit(page, path) {
  const res = await page.goto(new URL(path, h.base).href);
  assert.equal(res.status(), 200, `${path} opens`);
}

/**
 * No sideways scrolling, every field labelled, the header one line, every table a stack of cards:
 * each shown cell a block under its label, the column headings hidden but kept for screen readers,
 * no cell narrower than 100 px and none cutting its text off. Returns how many labelled cells it saw.
 */
async function checkCards(page) {
  await checkPhoneLayout(page);
  const where = new URL(page.url()).pathname;
  const header = await page.$eval('header.top', (e) => e.getBoundingClientRect().height);
  assert.ok(header < 64, `the header is one line (${header}px) at ${where}`);
  if (process.env.PHONE_SCREENSHOTS) {
    mkdirSync(process.env.PHONE_SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${process.env.PHONE_SCREENSHOTS}/${where.replace(/\W+/g, '_')}.png`, fullPage: true });
  }
  const { problems, cells } = await page.evaluate(() => {
    const problems = [];
    let cells = 0;
    const shown = (e) => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; };
    const px = (v) => parseFloat(v) || 0;
    for (const thead of document.querySelectorAll('main thead')) {
      const s = getComputedStyle(thead);
      const b = thead.getBoundingClientRect();
      if (s.display === 'none' || s.visibility === 'hidden') problems.push('a thead is gone rather than visually hidden');
      else if (b.width > 1 || b.height > 1) problems.push(`a thead is shown (${Math.round(b.width)}×${Math.round(b.height)})`);
    }
    for (const td of document.querySelectorAll('main td')) {
      if (!shown(td)) continue; // empty, or in a closed <details>
      const text = td.textContent.replace(/\s+/g, ' ').trim();
      const label = td.getAttribute('data-label');
      const s = getComputedStyle(td);
      const what = `"${text.slice(0, 24)}"`;
      if (s.display !== 'block') problems.push(`a cell shown as ${s.display}: ${what}`);
      if (label === null && text && td.colSpan <= 1) problems.push(`a cell without a data-label: ${what}`);
      if (label) {
        cells += 1;
        const before = getComputedStyle(td, '::before');
        if (before.content !== JSON.stringify(label) || before.display === 'none') problems.push(`the label "${label}" is not shown: ${what}`);
      }
      const width = td.getBoundingClientRect().width;
      const content = td.clientWidth - px(s.paddingLeft) - px(s.paddingRight);
      if (text && (width < 100 || content < 100)) problems.push(`a cell ${Math.round(width)}px wide, ${Math.round(content)}px for its text: ${what}`);
      if (td.scrollWidth > td.clientWidth + 1) problems.push(`a cell cuts its text off: ${what}`);
    }
    return { problems, cells };
  });
  assert.deepEqual(problems, [], `tables are cards at ${where}`);
  return cells;
}

/** Every page of the main navigation, then the first item of each list that has one. */
async function everyPage(page, t) {
  const seen = new Map();
  const check = async (path) => {
    if (seen.has(path)) return;
    await visit(page, path);
    seen.set(path, await checkCards(page));
  };
  for (const path of await navLinks(page)) {
    await check(path);
    for (const [list, item] of [
      ['/contracts', /^\/contracts\/\d+$/],
      ['/evaluations', /^\/evaluations\/\d+$/],
      ['/hubs', /^\/hubs\/\d+$/],
    ]) {
      if (path !== list) continue;
      await visit(page, path);
      const first = await firstLink(page, item);
      if (first) await check(first);
    }
  }
  t.diagnostic(`labelled cells: ${[...seen].map(([p, n]) => `${p} ${n}`).join(', ')}`);
  return seen;
}

test('the header is one line on a phone and its menu opens below it without JavaScript', async () => {
  const { context, page } = await phone('officer', '/calls');
  await checkCards(page);
  assert.ok(!(await page.isVisible('header.top nav')), 'the navigation is folded into the menu');
  const summary = page.locator('header.top details.menu > summary');
  assert.ok(await summary.isVisible(), 'the menu button is shown');
  assert.ok((await summary.textContent()).includes('主导航'), 'the menu button is named');
  await summary.click();
  assert.ok(await page.isVisible('header.top nav a[href="/calls"]'), 'the menu opens');
  assert.ok(await page.isVisible('header.top form[action="/logout"] button'), 'the account links are in the menu');
  await checkCards(page);
  const menu = await page.$eval('header.top .menu-body', (e) => e.getBoundingClientRect());
  assert.ok(menu.left >= 0 && menu.right <= PHONE.width, 'the open menu fits the screen');
  await page.click('header.top nav a[href="/organizations"]');
  await page.waitForURL(/\/organizations$/);
  assert.ok(!(await page.isVisible('header.top nav')), 'the next page starts with the menu closed');

  // In English too, the header is one line.
  await visit(page, '/lang/en?back=%2Fcalls');
  assert.ok((await page.textContent('h1')).includes('Calls'), 'the page in English');
  await checkCards(page);
  await context.close();
});

test('the officer\'s pages on a phone: lists, a contract, a call and its panel report are cards', async (t) => {
  const { context, page } = await phone('officer');
  const seen = await everyPage(page, t);
  for (const path of ['/organizations', '/calls', '/contracts', '/evaluations']) {
    assert.ok(seen.get(path) > 0, `${path} has a table of cards`);
  }
  const contract = [...seen.keys()].find((p) => /^\/contracts\/\d+$/.test(p));
  assert.ok(contract, 'a contract was found in the list');
  assert.ok(seen.get(contract) > 0, `${contract}: its outputs, instalments and payments are cards`);

  // Calls: each call page, and the panel report of any call that has one.
  await visit(page, '/calls');
  const calls = await page.$$eval('main td a[href^="/calls/"]', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(calls.length > 0, 'calls listed');
  let reports = 0;
  for (const call of calls) {
    await visit(page, call);
    await checkCards(page);
    const panel = await firstLink(page, /^\/calls\/\d+\/panel$/);
    if (!panel) continue;
    await visit(page, panel);
    await checkCards(page);
    if (await page.$('#h-report')) {
      reports += 1;
      const labels = await page.$$eval('section:has(#h-report) td[data-label]', (tds) => tds.map((td) => td.dataset.label));
      // The criterion, each scoring member's name and the points: a member's column is labelled too.
      assert.ok(labels.includes('评分因素') && labels.includes('得分') && new Set(labels).size >= 3,
        `the report's cells are labelled at ${panel}: ${[...new Set(labels)]}`);
    }
  }
  if (reports === 0) t.diagnostic('the demo has no panel report to read');

  // A form of rows of fields: the call draft.
  await visit(page, '/calls');
  const draft = await firstLink(page, /^\/calls\/new$/);
  if (draft) {
    await visit(page, draft);
    assert.ok((await checkCards(page)) > 0, 'the draft\'s criteria and instalments are cards');
  }
  await context.close();
});

test('an NGO member\'s pages on a phone are cards', async (t) => {
  const role = h.passwords['provider@fuhua.local'] ? 'provider@fuhua.local' : 'ngo_member';
  const { context, page } = await phone(role);
  const seen = await everyPage(page, t);
  for (const path of ['/organizations', '/calls']) assert.ok(seen.get(path) > 0, `${path} has a table of cards`);
  if (seen.has('/contracts')) {
    assert.ok([...seen.keys()].some((p) => /^\/contracts\/\d+$/.test(p)), 'the member\'s contract was found');
  }
  await context.close();

  const other = await phone('ngo_member');
  await everyPage(other.page, t);
  await other.context.close();
});

test('the other accounts\' pages on a phone are cards (admin, expert, hub manager, evaluator)', async (t) => {
  for (const role of ['admin', 'expert', 'hub_manager', 'evaluator']) {
    if (!h.passwords[role]) continue;
    const { context, page } = await phone(role);
    const seen = await everyPage(page, t);
    if (role === 'admin') {
      for (const path of ['/admin/users', '/admin/audit']) assert.ok(seen.get(path) > 0, `${path} has a table of cards`);
    }
    await context.close();
  }
});

test('on a desktop tables stay tables and the navigation is shown in the header', async () => {
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await h.login(page, 'officer', '/organizations');
  const cell = await page.$eval('main td[data-label]', (td) => getComputedStyle(td).display);
  assert.equal(cell, 'table-cell');
  const head = await page.$eval('main thead', (e) => ({ display: getComputedStyle(e).display, height: e.getBoundingClientRect().height }));
  assert.equal(head.display, 'table-header-group');
  assert.ok(head.height > 20, 'the column headings are shown');
  const label = await page.$eval('main td[data-label]', (td) => getComputedStyle(td, '::before').content);
  assert.equal(label, 'none', 'no label inside a cell');
  assert.ok(await page.isVisible('header.top nav a[href="/calls"]'), 'the navigation is shown');
  assert.ok(!(await page.isVisible('header.top details.menu > summary')), 'no menu button');
  const header = await page.$eval('header.top', (e) => e.getBoundingClientRect().height);
  assert.ok(header < 64, `the header is one line (${header}px)`);
  await context.close();
});
