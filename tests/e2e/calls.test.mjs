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
  await page.waitForURL(/\/calls\/\d+\/edit$/);
  await checkPhoneLayout(page);
  await context.close();
});

test('an NGO submits a bid on a phone and gets its receipt; the officer opens a closed call', async () => {
  const { context, page } = await h.phone();
  await h.login(page, 'ngo_member', '/calls');
  await page.click('a:has-text("吉阳区居家养老上门服务项目")');
  await page.click('a:has-text("提交或修改响应文件")');
  await checkPhoneLayout(page);
  await page.fill('#f-service_plan', '每周两次上门探访，建立个案档案。');
  await page.fill('#f-team', '社工 3 名。');
  await page.fill('#f-oi-0', '上门探访');
  await page.fill('#f-oq-0', '2000');
  await page.fill('#f-bc-0', '人员经费');
  await page.fill('#f-ba-0', '150000');
  // An attachment uploaded midway: the text typed so far comes back with the file listed.
  await page.setInputFiles('#f-file', { name: '服务方案.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n') });
  await page.click('button:has-text("上传附件")');
  assert.ok((await page.textContent('.flash')).includes('附件已上传'), 'the file is taken');
  assert.ok((await page.textContent('#files')).includes('服务方案.pdf'), 'and listed');
  assert.equal(await page.inputValue('#f-service_plan'), '每周两次上门探访，建立个案档案。', 'the plan typed is kept');
  assert.equal(await page.inputValue('#f-team'), '社工 3 名。', 'the team typed is kept');
  assert.equal(await page.inputValue('#f-ba-0'), '150000', 'the budget typed is kept');
  await checkPhoneLayout(page);
  await page.click('button:has-text("提交响应文件")');
  assert.ok((await page.textContent('main')).includes('超过了预算上限'), 'over the ceiling is refused');
  // The refusal's summary is at the top, has the focus, and each entry leads to its field.
  assert.ok(await page.isVisible('.error-summary'), 'an error summary');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'error-summary', 'focus moved to it');
  const target = await page.getAttribute('.error-summary a', 'href');
  assert.ok(target.startsWith('#') && (await page.$(target)) !== null, `the entry ${target} leads to its field`);
  assert.equal(await page.inputValue('#f-oi-0'), '上门探访', 'values kept');
  await page.fill('#f-ba-0', '118000');
  await page.click('button:has-text("提交响应文件")');
  await page.waitForSelector('#receipt');
  const receipt = await page.textContent('#receipt');
  assert.match(receipt, /[0-9a-f]{64}/, 'the digest is on the receipt');
  assert.ok(receipt.includes('¥118,000.00'));
  await context.close();

  const officer = await h.phone();
  await h.login(officer.page, 'officer', '/calls');
  await officer.page.click('a:has-text("天涯区社区矫正对象帮扶项目")');
  await officer.page.click('button:has-text("开启响应文件")');
  await officer.page.click('button:has-text("确认开启")');
  await officer.page.waitForSelector('.flash-success');
  const bids = await officer.page.textContent('#bids');
  assert.ok(bids.includes('¥129,800.00') && bids.includes('¥142,500.00'), 'bidders and prices after opening');
  await checkPhoneLayout(officer.page);
  await officer.context.close();
});

test('an expert declares no ties and scores every bid on a phone; the officer awards the recommended bid', async () => {
  const { context, page } = await h.phone();
  await h.login(page, 'expert', '/panels');
  await page.click('a:has-text("天涯区社区矫正对象教育帮扶项目")');
  await checkPhoneLayout(page);
  assert.ok((await page.textContent('main')).includes('回避声明'), 'the declaration comes first');
  assert.equal(await page.$('input[name$=".score"]'), null, 'no score sheet before the declaration');
  // Each bidder starts unanswered and must be answered one by one.
  const ties = await page.$$('select[name$=".conflict"]');
  assert.equal(ties.length, 3, 'one question per bidder');
  for (const s of ties) assert.equal(await s.inputValue(), '', 'nothing is declared for the expert');
  for (const s of ties) await s.selectOption('none');
  await page.click('button:has-text("提交声明")');
  await page.waitForSelector('.flash-success');
  const inputs = await page.$$('input[name$=".score"]');
  assert.equal(inputs.length, 9, 'three bids on three criteria');
  for (const [i, input] of inputs.entries()) await input.fill(String(70 + i));
  await page.click('button:has-text("提交评分")');
  await page.waitForSelector('.flash-success');
  const report = await page.textContent('main');
  assert.ok(report.includes('评审报告') && report.includes('推荐成交供应商'), 'the report once every member has scored');
  await checkPhoneLayout(page);
  await context.close();

  const officer = await h.phone();
  await h.login(officer.page, 'officer', '/calls');
  await officer.page.click('a:has-text("天涯区社区矫正对象教育帮扶项目")');
  await officer.page.click('a:has-text("评审小组与评审报告")');
  await checkPhoneLayout(officer.page);
  await officer.page.click('button:has-text("确定并公告成交结果")');
  assert.ok((await officer.page.textContent('main')).includes('确认成交结果'), 'the award asks first');
  await officer.page.click('button:has-text("确认并公告成交结果")');
  await officer.page.waitForSelector('#award');
  const award = await officer.page.textContent('#award');
  assert.ok(award.includes('成交金额') && award.includes('评审专家 赵教授'), 'the award with the panel list');
  await checkPhoneLayout(officer.page);
  await officer.context.close();
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
  const officer = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const op = await officer.newPage();
  await h.login(op, 'officer', '/calls');
  await op.click('a:has-text("吉阳区困境儿童关爱服务项目")');
  await op.click('a:has-text("评审小组与评审报告")');
  await op.screenshot({ path: join(dir, 'panel-report.png'), fullPage: true });
  await officer.close();
});
