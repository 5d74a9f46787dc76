// End-to-end: the registry in Debian's Chromium, with JavaScript off, at a phone's width,
// driven by the keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { start, root, checkPhoneLayout } from './harness.mjs';

let h, base, browser, passwords;

before(async () => {
  h = await start();
  ({ base, browser, passwords } = h);
});

after(async () => {
  await h?.stop();
});

const phone = () => h.phone();

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
  await checkPhoneLayout(page);
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
