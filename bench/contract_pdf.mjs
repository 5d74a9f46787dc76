// Chromium's print-to-PDF of the contract page, kept warm: one browser, one page, the
// HTML set and printed `runs` times. Uses the end-to-end tests' playwright-core.
// Usage: node bench/contract_pdf.mjs FILE.html RUNS OUT.pdf
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(new URL('../tests/e2e/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const [file, runsArg, out] = process.argv.slice(2);
const runs = Number(runsArg || 100);
const html = readFileSync(file, 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage();
const times = [];
let pdf;
for (let i = 0; i < runs + 3; i++) {
  const t = process.hrtime.bigint();
  await page.setContent(html, { waitUntil: 'load' });
  pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (i >= 3) times.push(ms); // the first runs warm the font caches
}
await browser.close();
writeFileSync(out, pdf);
times.sort((a, b) => a - b);
const at = (q) => times[Math.round((times.length - 1) * q)];
console.log(`runs=${times.length} bytes=${pdf.length} median_ms=${at(0.5).toFixed(1)} p99_ms=${at(0.99).toFixed(1)}`);
