// End-to-end: each Excel download as an officer gets it — clicked on its list page in
// Chromium, saved, and opened with a reader that checks what Excel would see: named sheets,
// the header frozen and filtered, dates as dates, money as numbers in yuan, codes as text;
// and the import template with its drop-down lists and explanation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { start } from './harness.mjs';
import { readXlsx, columnTypes } from './xlsx.mjs';

let h;
before(async () => { h = await start(); });
after(async () => { await h?.stop(); });

/** Clicks `link` on `path` and reads the workbook the browser saves. */
async function download(page, path, link) {
  await page.goto(`${h.base}${path}`);
  const [saved] = await Promise.all([page.waitForEvent('download'), page.click(link)]);
  assert.match(saved.suggestedFilename(), /\.xlsx$/);
  return readXlsx(readFileSync(await saved.path()));
}

function checkHeader(sheet) {
  assert.ok(sheet.frozen, `${sheet.name}: the header row stays in view`);
  assert.ok(sheet.filtered, `${sheet.name}: a filter on every column`);
  assert.ok(sheet.rows.length > 1, `${sheet.name}: has rows`);
}

test('every list an officer works with downloads as a typed workbook', async () => {
  const context = await h.browser.newContext({ acceptDownloads: true, locale: 'zh-CN' });
  const page = await context.newPage();
  await h.login(page, 'officer', '/todo');

  const [orgs] = await download(page, '/organizations', 'a:has-text("导出 Excel")');
  assert.equal(orgs.name, '社会组织');
  checkHeader(orgs);
  assert.deepEqual(columnTypes(orgs, '登记日期'), ['date']);
  assert.deepEqual(columnTypes(orgs, '注册资金（元）'), ['money']);
  assert.deepEqual(columnTypes(orgs, '统一社会信用代码'), ['text']);
  assert.deepEqual(columnTypes(orgs, '状态'), ['text']);
  assert.ok(orgs.rows[0].some((c) => c?.value === '评估等级'), 'a grade column');

  const [calls] = await download(page, '/calls', 'a:has-text("导出 Excel")');
  assert.equal(calls.name, '采购项目');
  checkHeader(calls);
  assert.deepEqual(columnTypes(calls, '预算上限（元）'), ['money']);
  assert.deepEqual(columnTypes(calls, '响应截止时间'), ['date']);
  assert.deepEqual(columnTypes(calls, '服务期（月）'), ['number']);
  assert.deepEqual(columnTypes(calls, '项目编号'), ['text']);

  const [contracts, payments] = await download(page, '/contracts', 'a:has-text("导出 Excel")');
  assert.equal(contracts.name, '合同');
  checkHeader(contracts);
  assert.deepEqual(columnTypes(contracts, '合同金额（元）'), ['money']);
  assert.deepEqual(columnTypes(contracts, '签订日期'), ['date']);
  assert.deepEqual(columnTypes(contracts, '合同编号'), ['text']);
  assert.equal(payments.name, '付款');
  checkHeader(payments);
  assert.deepEqual(columnTypes(payments, '金额（元）'), ['money']);
  assert.deepEqual(columnTypes(payments, '支付日期'), ['date']);
  assert.deepEqual(columnTypes(payments, '期次'), ['number']);

  const [evaluations] = await download(page, '/evaluations', 'a:has-text("导出 Excel")');
  assert.equal(evaluations.name, '绩效评估');
  checkHeader(evaluations);
  assert.deepEqual(columnTypes(evaluations, '现场评估日期'), ['date']);
  assert.deepEqual(columnTypes(evaluations, '总分'), ['number']);
  assert.deepEqual(columnTypes(evaluations, '等级'), ['text']);

  // A filtered list downloads as filtered: only awarded calls.
  await page.goto(`${h.base}/calls`);
  await page.click('summary:has-text("更多筛选条件")');
  await page.selectOption('#status', 'awarded');
  await page.click('.filter-grid button:has-text("查询")');
  const [awarded] = await download(page, page.url().replace(h.base, ''), 'a:has-text("导出 Excel")');
  const status = awarded.rows[0].findIndex((c) => c?.value === '状态');
  assert.ok(awarded.rows.length > 1 && awarded.rows.slice(1).every((r) => r[status].value === '已成交'), 'only awarded calls');

  const template = await download(page, '/organizations/import', 'a:has-text("下载导入模板")');
  assert.deepEqual(template.map((s) => s.name), ['导入', '说明', '取值']);
  assert.ok(template[0].lists >= 3, 'type, district and community are drop-down lists');
  assert.equal(template[0].rows.length, 1, 'only the header to fill in under');
  assert.ok(template[1].rows.some((r) => r[0]?.value === '名称' && r[1]?.value === '是'), 'each column explained');
  await context.close();
});
