// End-to-end: the real server (demo data on a fresh SQLite file) in Debian's Chromium,
// with JavaScript off, at a phone's width, driven by the keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
const bin = process.env.FUHUA_BIN || join(root, 'target/debug/fuhua');
const port = 18000 + Math.floor(Math.random() * 1000);
const base = `http://127.0.0.1:${port}`;
const work = mkdtempSync(join(tmpdir(), 'fuhua-e2e-'));
let server, browser;
const passwords = {};

before(async () => {
  server = spawn(bin, ['serve', '--demo'], {
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
  for (const line of out.split('\n')) {
    const m = line.trim().match(/^(\w+)\s+(\S+@\S+)\s+(\S+)$/);
    if (m) passwords[m[1]] = { email: m[2], password: m[3] };
  }
  assert.ok(passwords.officer, `demo accounts printed:\n${out}`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  rmSync(work, { recursive: true, force: true });
});

async function phone() {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false, locale: 'zh-CN' });
  return { context, page: await context.newPage() };
}

test('a visitor on a phone finds an organization by pinyin initials with the keyboard alone', async () => {
  const { context, page } = await phone();
  await page.goto(`${base}/`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip', 'first stop is the skip link');
  let tabs = 0;
  while (await page.evaluate(() => document.activeElement.id) !== 'home-q' && tabs++ < 20) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'home-q', 'search reachable by Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'focus is visible');
  await page.keyboard.type('sysy');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/organizations\?q=sysy/);
  assert.ok((await page.textContent('table.orgs')).includes('三亚市阳光社会工作服务中心'));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px)`);
  const unlabelled = await page.$$eval('input:not([type=hidden]), select, textarea',
    (els) => els.filter((e) => !e.labels || e.labels.length === 0).map((e) => e.name));
  assert.deepEqual(unlabelled, [], 'every field has a label');
  await context.close();
});

test('an officer logs in and registers an organization, correcting a mistake, without JavaScript', async () => {
  const { context, page } = await phone();
  await page.goto(`${base}/organizations/new`);
  await page.waitForURL(/\/login/);
  await page.fill('#f-email', passwords.officer.email);
  await page.fill('#f-password', passwords.officer.password);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/organizations\/new/);
  await page.fill('#f-name', '三亚市端到端测试服务中心');
  await page.selectOption('#f-org_type', 'filing');
  await page.fill('#f-registration_date', '2024-04-01');
  await page.fill('#f-legal_representative', '测试员');
  await page.selectOption('#f-district_id', { label: '吉阳区' });
  await page.fill('#f-address', '三亚市吉阳区测试路1号');
  await page.fill('#f-business_scope', '社区志愿服务');
  await page.fill('#f-registered_funds', '12.345');
  await page.check('input[name=categories][value=volunteer]');
  await page.click('button[type=submit]:has-text("保存")');
  assert.ok((await page.textContent('#e-registered_funds')).includes('两位小数'), 'the bad field is marked');
  assert.equal(await page.inputValue('#f-name'), '三亚市端到端测试服务中心', 'other values kept');
  await page.fill('#f-registered_funds', '12.34');
  await page.click('button[type=submit]:has-text("保存")');
  await page.waitForURL(/\/organizations\/\d+$/);
  assert.equal(await page.textContent('h1'), '三亚市端到端测试服务中心');
  assert.ok((await page.textContent('main')).includes('¥12.34'));
  await context.close();
});

test('screenshots for the README', { skip: !process.env.SCREENSHOTS }, async () => {
  const dir = join(root, 'docs/screenshots');
  mkdirSync(dir, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${base}/organizations?district_id=2`);
  await page.screenshot({ path: join(dir, 'organizations.png'), fullPage: true });
  await page.goto(`${base}/organizations/1`);
  await page.screenshot({ path: join(dir, 'organization.png'), fullPage: true });
  const mobile = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const m = await mobile.newPage();
  await m.goto(`${base}/organizations`);
  await m.screenshot({ path: join(dir, 'organizations-phone.png') });
  await context.close();
  await mobile.close();
});
