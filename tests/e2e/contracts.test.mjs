// End-to-end: a contract in force, in Debian's Chromium, with JavaScript off, at a phone's width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { start, root, checkPhoneLayout } from './harness.mjs';

let h;

before(async () => { h = await start(); });
after(async () => { await h?.stop(); });

const PROJECT = '天涯区居家养老上门服务项目';

test('the provider follows its contract and its issued PDF; another NGO cannot see it', async () => {
  const { context, page } = await h.phone();
  await h.login(page, 'provider@fuhua.local', '/contracts');
  await page.click(`a:has-text("SYHT-")`);
  await checkPhoneLayout(page);
  const main = await page.textContent('main');
  assert.ok(main.includes(PROJECT) && main.includes('履行中'), 'the contract in force');
  assert.match(main, /SHA-256 [0-9a-f]{64}/, 'the issued PDF with its digest');
  assert.ok(main.includes('已验收') && main.includes('已提交待审核'), 'the first quarter accepted, the mid-term waiting');
  const pdf = await page.getAttribute('#documents a[href*="/documents/"]', 'href');
  const res = await context.request.get(new URL(pdf, h.base).href);
  assert.equal(res.status(), 200);
  assert.equal((await res.body()).subarray(0, 5).toString(), '%PDF-');
  const url = page.url();
  await context.close();

  const other = await h.phone();
  await h.login(other.page, 'ngo_member', '/contracts');
  assert.ok(!(await other.page.textContent('main')).includes(PROJECT), 'not in another NGO\'s list');
  const r = await other.page.goto(url);
  assert.equal(r.status(), 404);
  await other.context.close();
});

test('the officer accepts the mid-term report on a phone, then records the payment it releases', async () => {
  const { context, page } = await h.phone();
  await h.login(page, 'officer', '/contracts?waiting=true');
  await page.click(`a:has-text("SYHT-")`);
  await checkPhoneLayout(page);
  await page.click('button:has-text("验收通过")');
  await page.waitForSelector('.flash-success');
  const option = await page.textContent('#f-instalment_id option');
  const open = option.match(/¥([\d,]+\.\d\d)/)[1].replaceAll(',', '');
  await page.fill('#f-amount', String(Number(open) + 1));
  await page.fill('#f-voucher_no', 'E2E-0001');
  await page.click('button:has-text("登记付款")');
  assert.ok((await page.textContent('main')).includes('超过可支付金额'), 'paying more than is payable is refused');
  assert.equal(await page.inputValue('#f-voucher_no'), 'E2E-0001', 'values kept');
  await page.fill('#f-amount', open);
  await page.click('button:has-text("登记付款")');
  // A confirmation page says what will happen; the payment is recorded only then.
  assert.ok((await page.textContent('main')).includes('确认登记付款'));
  await checkPhoneLayout(page);
  await page.click('button:has-text("确认登记付款")');
  await page.waitForSelector('.flash-success');
  assert.ok((await page.textContent('#payments')).includes('E2E-0001'));
  // Recorded by mistake: reversed with a reason, both entries kept, the instalment payable again.
  await page.click('#payments tr:has-text("E2E-0001") a:has-text("冲销")');
  assert.ok((await page.textContent('main')).includes('原记录保留'), 'the reversal says what it does');
  await checkPhoneLayout(page);
  await page.fill('#f-text', '   ');
  await page.click('button:has-text("冲销这笔付款")');
  assert.ok(await page.isVisible('.error-summary'), 'a reason is required');
  await page.fill('#f-text', '凭证号录入错误，应为 E2E-0002');
  await page.click('button:has-text("冲销这笔付款")');
  await page.waitForSelector('.flash-success');
  const payments = await page.textContent('#payments');
  assert.ok(payments.includes('已冲销') && payments.includes('凭证号录入错误'), 'both entries, the reason shown');
  assert.ok((await page.textContent('#f-instalment_id')).includes(open.replace(/\B(?=(\d{3})+(?!\d))/g, ',')), 'payable again');
  await context.close();
});

test('the officer completes the awarded draft on a phone, approves it and sends the PDF', async () => {
  const { context, page } = await h.phone();
  await h.login(page, 'officer', '/contracts');
  await page.click('tr:has-text("吉阳区困境儿童关爱服务项目") a');
  assert.ok((await page.textContent('main')).includes('以下事项完成后才能审批'), 'what blocks approval is listed');
  assert.ok(await page.isDisabled('button:has-text("审批合同")'));
  await page.click('a:has-text("编辑合同草稿")');
  await checkPhoneLayout(page);
  const amount = (await page.textContent('main .lead')).match(/¥([\d,]+\.\d\d)/)[1].replaceAll(',', '');
  await page.fill('#f-service_content', '为困境儿童提供个案管理、家庭探访和成长小组服务。');
  await page.fill('#f-on-0', '个案服务');
  await page.fill('#f-os-0', '一人一档');
  await page.fill('#f-ou-0', '项');
  await page.fill('#f-oq-0', '2');
  await page.fill('#f-op-0', amount);
  await page.click('button:has-text("保存草稿")');
  assert.ok((await page.textContent('main')).includes('与合同金额'), 'outputs that do not add up block approval');
  await page.click('a:has-text("编辑合同草稿")');
  assert.equal(await page.inputValue('#f-on-0'), '个案服务', 'the saved outputs are back in the form');
  await page.fill('#f-oq-0', '1');
  await page.click('button:has-text("保存草稿")');
  await page.click('button:has-text("审批合同")');
  await page.waitForSelector('.flash-success');
  assert.match(await page.textContent('h1'), /SYHT-\d{4}-\d{3}/, 'numbered on approval');
  await page.click('button:has-text("生成 PDF 并发送承接主体")');
  await page.waitForSelector('.flash-success');
  assert.match(await page.textContent('#documents'), /SHA-256 [0-9a-f]{64}/);
  await checkPhoneLayout(page);
  await context.close();
});

test('screenshot of a contract for the README', { skip: !process.env.SCREENSHOTS }, async () => {
  const dir = join(root, 'docs/screenshots');
  mkdirSync(dir, { recursive: true });
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await h.login(page, 'provider@fuhua.local', '/contracts');
  await page.click(`a:has-text("SYHT-")`);
  await page.screenshot({ path: join(dir, 'contract.png'), fullPage: false });
  await context.close();
});
