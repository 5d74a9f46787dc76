// End-to-end: calls for proposals in Debian's Chromium, with JavaScript off, at a phone's width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { start, root, checkPhoneLayout } from './harness.mjs';

let h;

before(async () => { h = await start(); });
after(async () => { await h?.stop(); });

test('an NGO reads an open call, sees its eligibility rule by rule, and asks a question', async () => {
  const { context, page } = await h.phone();
  await h.login(page, 'ngo_member', '/calls');
  await page.click('a:has-text("吉阳区居家养老上门服务项目")');
  await checkPhoneLayout(page);
  const main = await page.textContent('main');
  assert.ok(main.includes('符合本公告的资格条件'), 'eligibility shown');
  assert.ok(main.includes('名单由各社区居委会提供'), 'answered question public');
  await page.fill('#f-text', '项目是否需要配备持证社工？');
  await page.click('#questions button[type=submit]');
  await page.waitForSelector('.flash-success');
  assert.ok((await page.textContent('#questions')).includes('持证社工'), 'the asker sees their question');
  await context.close();
});

test('an officer sees what stops a draft from being published', async () => {
  const { context, page } = await h.phone();
  await h.login(page, 'officer', '/calls');
  await page.click('a:has-text("育才生态区志愿服务站运营项目")');
  const text = await page.textContent('main');
  assert.ok(text.includes('发布前还需修改'), 'problems listed');
  assert.ok(await page.isDisabled('button:has-text("发布公告")'));
  await page.click('a:has-text("编辑草稿")');
  await checkPhoneLayout(page);
  await context.close();
});

test('screenshot of a call for the README', { skip: !process.env.SCREENSHOTS }, async () => {
  const dir = join(root, 'docs/screenshots');
  mkdirSync(dir, { recursive: true });
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await h.login(page, 'ngo_member', '/calls');
  await page.click('a:has-text("吉阳区居家养老上门服务项目")');
  await page.screenshot({ path: join(dir, 'call.png'), fullPage: true });
  await context.close();
});
