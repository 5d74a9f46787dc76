// End-to-end: performance evaluations, in Debian's Chromium, with JavaScript off, at a phone's width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, root, checkPhoneLayout } from './harness.mjs';

let h;

before(async () => { h = await start(); });
after(async () => { await h?.stop(); });

const PROJECT = '天涯区居家养老上门服务项目';
const LAST_YEAR = '海棠区居家养老上门服务项目（2025年度）';

/** YYYY-MM-DD, `days` from today in Beijing. */
function day(days) {
  const t = new Date(Date.now() + 8 * 3600e3 + days * 86400e3);
  return t.toISOString().slice(0, 10);
}

test('the officer schedules the final evaluation, the provider self-evaluates, the evaluator declares and scores on a phone', async () => {
  // The officer: a self-evaluation due after the visit is refused with the values kept.
  const officer = await h.phone();
  await h.login(officer.page, 'officer', '/contracts');
  await officer.page.click(`tr:has-text("${PROJECT}") a`);
  await officer.page.click('a:has-text("安排评估")');
  await checkPhoneLayout(officer.page);
  await officer.page.selectOption('#f-kind', 'final');
  await officer.page.selectOption('#f-template_id', { index: 1 });
  await officer.page.fill('#f-visit_on', day(20));
  await officer.page.fill('#f-self_due_on', day(25));
  await officer.page.check('label:has-text("第三方评估 孙老师") input');
  await officer.page.click('button:has-text("安排评估")');
  assert.ok((await officer.page.textContent('main')).includes('自评截止日不能晚于评估日期'));
  assert.equal(await officer.page.inputValue('#f-visit_on'), day(20), 'values kept');
  assert.ok(await officer.page.isChecked('label:has-text("第三方评估 孙老师") input'), 'the chosen evaluator kept');
  await officer.page.fill('#f-self_due_on', day(10));
  await officer.page.click('button:has-text("安排评估")');
  await officer.page.waitForSelector('.flash-success');
  const url = officer.page.url();
  assert.ok((await officer.page.textContent('#evaluators')).includes('待申报'));
  // The officer's page, with a choice of output per output-linked indicator, fits a phone.
  assert.equal(await officer.page.locator('#indicators select').count(), 3, 'three output-linked indicators');
  await checkPhoneLayout(officer.page);
  await officer.context.close();

  // The evaluator declares no tie; scoring waits for the self-evaluation.
  const evaluator = await h.phone();
  await h.login(evaluator.page, 'evaluator', new URL(url).pathname);
  await checkPhoneLayout(evaluator.page);
  await evaluator.page.selectOption('#f-conflict', 'none');
  await evaluator.page.click('button:has-text("提交声明")');
  await evaluator.page.waitForSelector('.flash-success');
  assert.ok((await evaluator.page.textContent('#mine')).includes('承接主体提交自评后'));

  // The provider self-evaluates: every indicator, and what it achieved of each output.
  const provider = await h.phone();
  await h.login(provider.page, 'provider@fuhua.local', '/evaluations');
  await provider.page.click('tr:has-text("末期评估") a');
  await checkPhoneLayout(provider.page);
  // Half done, saved as a draft: still there when the page is opened again.
  await provider.page.fill('#f-summary', '全年完成上门探访 1,180 人次，个案 58 个。');
  await provider.page.click('button:has-text("保存草稿")');
  await provider.page.waitForSelector('.flash-success');
  await provider.page.goto(provider.page.url().replace(/#.*$/, ''));
  assert.equal(await provider.page.inputValue('#f-summary'), '全年完成上门探访 1,180 人次，个案 58 个。', 'the draft is kept');
  for (const input of await provider.page.$$('#self input[name$=".score"]')) await input.fill('4');
  await provider.page.click('button:has-text("提交自评")');
  // Submitting asks first, and says what will happen.
  assert.ok((await provider.page.textContent('main')).includes('提交后自评不能再修改'));
  await checkPhoneLayout(provider.page);
  await provider.page.click('button:has-text("确认提交自评")');
  await provider.page.waitForSelector('.flash-success');
  assert.ok((await provider.page.textContent('main')).includes('自评已提交'));
  await provider.context.close();

  // The evaluator scores: one score above its indicator's points is refused, values kept.
  await evaluator.page.goto(url);
  const scores = await evaluator.page.$$('#mine input[name$=".score"]');
  assert.equal(scores.length, 9, 'nine indicators');
  for (const input of scores) await input.fill('4.5');
  await scores[0].fill('99');
  await evaluator.page.click('button:has-text("提交评分")');
  const main = await evaluator.page.textContent('main');
  assert.ok(main.includes('「资金使用合规性」的评分须在 0 至 5 之间'), 'the indicator is named');
  assert.equal(await evaluator.page.inputValue('#mine input[name$=".score"] >> nth=0'), '99', 'what was typed is kept');
  assert.equal(await evaluator.page.inputValue('#mine input[name$=".score"] >> nth=1'), '4.5');
  await evaluator.page.fill('#mine input[name$=".score"] >> nth=0', '5');
  await evaluator.page.click('button:has-text("提交评分")');
  await evaluator.page.waitForSelector('.flash-success');
  await checkPhoneLayout(evaluator.page);
  await evaluator.context.close();
});

test('anyone sees last year\'s results on the project page; the provider downloads the report', async () => {
  const visitor = await h.phone();
  await visitor.page.goto(`${h.base}/calls`);
  await visitor.page.click(`a:has-text("${LAST_YEAR}")`);
  const section = await visitor.page.textContent('#evaluations');
  assert.ok(section.includes('末期评估') && section.includes('94.15') && section.includes('优秀'), section);
  await checkPhoneLayout(visitor.page);
  await visitor.context.close();

  const provider = await h.phone();
  await h.login(provider.page, 'provider2@fuhua.local', '/evaluations');
  await provider.page.click('tr:has-text("末期评估") a');
  const href = await provider.page.getAttribute('a:has-text("下载评估报告")', 'href');
  const res = await provider.context.request.get(new URL(href, h.base).href);
  assert.equal(res.status(), 200);
  assert.equal((await res.body()).subarray(0, 5).toString(), '%PDF-');
  await provider.context.close();
});

test('screenshots of an evaluation for the README', { skip: !process.env.SCREENSHOTS }, async () => {
  const dir = join(root, 'docs/screenshots');
  mkdirSync(dir, { recursive: true });
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await h.login(page, 'officer', '/evaluations');
  await page.click(`tr:has-text("${LAST_YEAR}"):has-text("末期评估") a`);
  await page.screenshot({ path: join(dir, 'evaluation.png'), fullPage: false });
  const href = await page.getAttribute('a:has-text("下载评估报告")', 'href');
  const pdf = await (await context.request.get(new URL(href, h.base).href)).body();
  const file = join(dir, 'evaluation-report.pdf');
  writeFileSync(file, pdf);
  // Pages 1 and 2 of the report as images (poppler's pdftoppm).
  execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '2', file, join(dir, 'evaluation-report')]);
  rmSync(file);
  await context.close();
});
