// The public portal in Chromium, on a phone without JavaScript and on a desktop: the front
// page leads to an open call, a district, a project with its documents and a winner's
// profile; the red flags explain their rules; the officer's dashboard draws its charts as
// SVG with a table each, and issues the annual report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { start, root, checkPhoneLayout } from './harness.mjs';

let h;
before(async () => { h = await start(); });
after(async () => { await h.stop(); });

const VIEWPORTS = [
  { name: 'phone', viewport: { width: 360, height: 740 }, javaScriptEnabled: false },
  { name: 'desktop', viewport: { width: 1280, height: 900 }, javaScriptEnabled: true },
];

for (const v of VIEWPORTS) {
  test(`${v.name}: a visitor goes from the front page to a call, a district, a project and its provider`, async () => {
    const context = await h.browser.newContext({ viewport: v.viewport, javaScriptEnabled: v.javaScriptEnabled, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${h.base}/`);
    assert.match(await page.textContent('#figures-h'), /\d{4} 年概况/);
    if (v.name === 'phone') await checkPhoneLayout(page);
    // An open call, with the days left.
    const open = page.locator('section[aria-labelledby="open-h"] tbody tr').first();
    assert.match(await open.textContent(), /还剩 \d+ 天|今天截止/);
    await open.locator('a').first().click();
    await page.waitForURL(/\/calls\/\d+$/);
    // A district with a project under way.
    await page.goto(`${h.base}/`);
    await page.click('section[aria-labelledby="districts-h"] a:has-text("天涯区")');
    await page.waitForURL(/\/districts\/\d+$/);
    if (v.name === 'phone') await checkPhoneLayout(page);
    await page.click('a[href^="/projects/"]');
    await page.waitForURL(/\/projects\/\d+$/);
    assert.match(await page.textContent('main'), /SHA-256 [0-9a-f]{64}/);
    assert.match(await page.textContent('main'), /良好/, 'the released mid-term grade');
    if (v.name === 'phone') await checkPhoneLayout(page);
    const pdf = await page.request.get(h.base + await page.getAttribute('a[href*="/documents/"]', 'href'));
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    await page.click('dd a[href^="/organizations/"]');
    await page.waitForURL(/\/organizations\/\d+$/);
    // The red flags say what each rule checks.
    await page.goto(`${h.base}/integrity`);
    assert.match(await page.textContent('#rules + .table-wrap'), /法定最短/);
    if (v.name === 'phone') await checkPhoneLayout(page);
    await context.close();
  });
}

test('an officer reads the dashboard (charts with their tables) and issues the annual report', async () => {
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await h.login(page, 'officer', '/dashboard');
  assert.match(await page.textContent('h1'), /数据看板/);
  assert.equal(await page.locator('svg.chart').count(), 7);
  const box = await page.locator('svg.chart').first().boundingBox();
  assert.ok(box.width > 300 && box.height > 40, `the chart is drawn at a readable size (${box.width}×${box.height})`);
  await page.click('#by-year summary');
  assert.match(await page.textContent('#by-year table'), /2025/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('form[action="/dashboard/annual-report"] button')]);
  assert.match(download.suggestedFilename(), /^annual-report-\d{4}\.pdf$/);
  await context.close();
});

test('screenshots of the portal for the README', { skip: !process.env.SCREENSHOTS }, async () => {
  const dir = join(root, 'docs/screenshots');
  mkdirSync(dir, { recursive: true });
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${h.base}/`);
  await page.screenshot({ path: join(dir, 'portal-home.png'), fullPage: true });
  await page.click('section[aria-labelledby="districts-h"] a:has-text("天涯区")');
  await page.click('a[href^="/projects/"]');
  await page.screenshot({ path: join(dir, 'project.png'), fullPage: true });
  await h.login(page, 'officer', '/dashboard');
  await page.screenshot({ path: join(dir, 'dashboard.png'), fullPage: false });
  const phone = await h.browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false, locale: 'zh-CN' });
  const p2 = await phone.newPage();
  await p2.goto(`${h.base}/`);
  await p2.screenshot({ path: join(dir, 'portal-home-phone.png'), fullPage: false });
  await phone.close();
  await context.close();
});
