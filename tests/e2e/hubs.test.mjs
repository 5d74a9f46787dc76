// End-to-end: incubation hubs in Debian's Chromium, with JavaScript off, at a phone's width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { start, root, checkPhoneLayout } from './harness.mjs';

let h;

before(async () => { h = await start(); });
after(async () => { await h?.stop(); });

test('a hub manager admits an applicant in review and logs a service, on a phone', async () => {
  const { context, page } = await h.phone();
  await h.login(page, 'hub_manager', '/hubs');
  await page.click('a:has-text("三亚市社会组织孵化基地")');
  await page.click('a:has-text("2026 年秋季批次")');
  await checkPhoneLayout(page);
  // The first application in review is still undecided.
  const rows = page.locator('#applications tbody tr');
  assert.equal(await rows.count(), 3);
  await rows.filter({ hasText: '已提交' }).locator('a').click();
  await checkPhoneLayout(page);
  // Reject without a reason: refused, the choice kept.
  await page.check('input[name=decision][value=reject]');
  await page.click('#decision button[type=submit]');
  assert.ok((await page.textContent('#e-note')).includes('理由'));
  assert.ok(await page.isChecked('input[name=decision][value=reject]'));
  await page.check('input[name=decision][value=accept]');
  await page.selectOption('#f-seat_id', { index: 1 });
  await page.click('#decision button[type=submit]');
  await page.waitForSelector('.flash-success');
  assert.ok((await page.textContent('main')).includes('已录取'));

  await page.click('a:has-text("三亚市社会组织孵化基地")');
  const members = page.locator('#members tbody tr');
  await members.filter({ hasText: '孵化中' }).first().locator('a').click();
  await page.click('#services summary');
  await page.selectOption('#f-kind', 'training');
  await page.fill('#f-title', '志愿者管理实务');
  await page.fill('#f-hours', '2.5');
  await page.fill('#f-attendees', '6');
  await page.click('#services button[type=submit]');
  await page.waitForSelector('.flash-success');
  assert.ok((await page.textContent('#services table')).includes('志愿者管理实务'));
  await checkPhoneLayout(page);
  await context.close();
});

test('screenshots of the hub pages for the README', { skip: !process.env.SCREENSHOTS }, async () => {
  const dir = join(root, 'docs/screenshots');
  mkdirSync(dir, { recursive: true });
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await h.login(page, 'hub_manager', '/hubs');
  await page.goto(`${h.base}/hubs/1/dashboard`);
  await page.screenshot({ path: join(dir, 'hub-dashboard.png'), fullPage: true });
  await page.goto(`${h.base}/hubs/1`);
  await page.screenshot({ path: join(dir, 'hub.png'), fullPage: true });
  const member = await page.getAttribute('#members tbody tr:has-text("已出壳") a', 'href');
  await page.goto(`${h.base}${member}`);
  await page.screenshot({ path: join(dir, 'hub-member.png'), fullPage: true });
  await context.close();
});
