// Memory and latency under the two heaviest things an officer or an NGO can send
// (bench/import_load.sh runs it on SQLite and PostgreSQL):
//  1. 20 parallel bid attachments of the maximum size (10 MiB), one per organization:
//     the server's resident memory at its peak and 5 s after;
//  2. a 20,000-row organization import (CSV, through the page form, run as a background
//     job) while a client logs in every 100 ms the whole time (each login is an Argon2
//     check of about 40 ms of CPU, on a 2-core machine): how long the import takes, the
//     login latency (p50, p99, max) beside the same logins with nothing else running, and
//     the server's memory at its peak and 5 s after.
// Node 20, no dependencies. Usage:
//   node bench/import_load.mjs --base URL --call ID --orgs 20 --password P --server-pid PID [--rows 20000] [--label db]
//     [--logins 1]   (clients logging in during the import; 0 for none)
// NO_UPLOADS=1 skips the uploads; TRACE=1 logs the job's status and the memory at each poll.
// Prints one markdown table row; details go to stderr.
import { readFileSync } from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const BASE = (args.base || 'http://127.0.0.1:8094').replace(/\/$/, '');
const CALL = Number(args.call);
const ORGS = Number(args.orgs || 20);
const PASSWORD = args.password;
const SERVER_PID = Number(args['server-pid'] || 0);
const ROWS = Number(args.rows || 20000);
const LABEL = args.label || 'db';
const LOGIN_CLIENTS = Number(args.logins ?? 1);
const LOGIN_PAUSE_MS = 100;
const MIB = 1024 * 1024;
const log = (...m) => console.error(`# ${LABEL}:`, ...m);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Jar {
  constructor() {
    this.cookies = new Map();
  }
  take(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (name === '_flash') continue;
      if (value === '' || attrs.some((a) => /max-age=0\b/i.test(a.trim()))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

const csrfIn = (html) => (html.match(/name="csrf" value="([^"]*)"/) || [])[1];

/** Logs in; returns the jar and how long the POST took (ms). */
async function login(email) {
  const jar = new Jar();
  let res = await fetch(`${BASE}/login`);
  jar.take(res);
  const csrf = csrfIn(await res.text());
  const t0 = performance.now();
  res = await fetch(`${BASE}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: jar.header(), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, email, password: PASSWORD, next: '/' }),
  });
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  jar.take(res);
  if (res.status !== 303) throw new Error(`${email}: login gave ${res.status}`);
  return { jar, ms };
}

async function page(jar, path) {
  const res = await fetch(`${BASE}${path}`, { headers: { Cookie: jar.header() }, redirect: 'manual' });
  jar.take(res);
  return { status: res.status, body: await res.text(), location: res.headers.get('location') };
}

async function postFile(jar, path, csrf, name, type, bytes) {
  const form = new FormData();
  form.append('csrf', csrf);
  form.append('file', new Blob([bytes], { type }), name);
  const res = await fetch(`${BASE}${path}`, { method: 'POST', body: form, headers: { Cookie: jar.header() }, redirect: 'manual' });
  jar.take(res);
  await res.arrayBuffer();
  return { status: res.status, location: res.headers.get('location') };
}

// The server's resident memory (VmRSS, MiB), sampled every 50 ms into the current phase.
const rss = () => {
  try {
    const m = readFileSync(`/proc/${SERVER_PID}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
};
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, rss());
}, 50);

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};

// GB 32100 check character, as the registry computes it.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
function uscc(n) {
  const first = `52460200B${String(n).padStart(8, '0')}`;
  let sum = 0;
  let w = 1;
  for (const c of first) {
    sum += ALPHABET.indexOf(c) * w;
    w = (w * 3) % 31;
  }
  return first + ALPHABET[(31 - (sum % 31)) % 31];
}

function csv(rows) {
  const lines = ['名称,统一社会信用代码,类型,登记日期,登记管理机关,法定代表人,住所,所属区,业务范围,注册资金（元）,服务领域,联系电话'];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `三亚市导入基准第${i}号社会工作服务中心,${uscc(i)},社会服务机构,2021-03-01,三亚市民政局,陈明,三亚市吉阳区基准路${i}号,吉阳区,社区服务,50000,养老,0898-1234567`,
    );
  }
  return Buffer.from(`\ufeff${lines.join('\n')}\n`);
}

async function main() {
  const officer = (await login('bench-officer@fuhua.local')).jar;
  const ngos = [];
  for (let i = 0; i < ORGS; i++) ngos.push((await login(`bench-ngo-${i}@fuhua.local`)).jar);
  await sleep(2000);
  const idle = rss();

  // 1. Uploads: every organization sends one maximum-size PDF at the same moment.
  const tokens = [];
  for (const j of ngos) tokens.push(csrfIn((await page(j, `/calls/${CALL}/bid`)).body));
  const file = Buffer.alloc(10 * MIB);
  file.write('%PDF-1.7\n', 0);
  for (let i = 16; i < file.length; i++) file[i] = (Math.imul(i, 2654435761) >>> 24) & 0xff;
  peak = rss();
  const t0 = performance.now();
  const ups = process.env.NO_UPLOADS
    ? []
    : await Promise.all(
        ngos.map((j, i) => postFile(j, `/calls/${CALL}/bid/attachments`, tokens[i], `方案-${i}.pdf`, 'application/pdf', file)),
      );
  const uploadS = (performance.now() - t0) / 1000;
  const uploadPeak = peak;
  await sleep(5000);
  const uploadAfter = rss();
  const stored = ups.filter((u) => u.status === 303).length;
  log(`uploads: ${stored}/${ORGS} stored in ${uploadS.toFixed(1)} s; statuses ${[...new Set(ups.map((u) => u.status))]}`);

  // 2a. Logins with nothing else running.
  const quiet = [];
  for (let i = 0; i < 60; i++) {
    quiet.push((await login(`bench-ngo-${i % ORGS}@fuhua.local`)).ms);
    await sleep(LOGIN_PAUSE_MS);
  }

  // 2b. The import, with logins the whole time.
  const body = csv(ROWS);
  const importPage = await page(officer, '/organizations/import');
  peak = rss();
  const tImport = performance.now();
  const sent = await postFile(officer, '/organizations/import', csrfIn(importPage.body), 'bench.csv', 'text/csv', body);
  if (sent.status !== 303 || !sent.location?.includes('/import/jobs/')) throw new Error(`import gave ${sent.status}`);
  let done = false;
  const busy = [];
  let loginErrors = 0;
  const loginLoop = async (k) => {
    let i = k;
    while (!done) {
      try {
        busy.push((await login(`bench-ngo-${i % ORGS}@fuhua.local`)).ms);
      } catch (e) {
        loginErrors++;
        log(String(e));
      }
      i += LOGIN_CLIENTS;
      await sleep(LOGIN_PAUSE_MS);
    }
  };
  const loops = Array.from({ length: LOGIN_CLIENTS }, (_, k) => loginLoop(k));
  let status = '';
  while (!done) {
    await sleep(250);
    const p = await page(officer, sent.location);
    status = (p.body.match(/data-status="([a-z]+)"/) || [])[1] || `http ${p.status}`;
    if (process.env.TRACE) log(`${((performance.now() - tImport) / 1000).toFixed(1)} s ${status} rss ${rss().toFixed(0)} MiB, peak ${peak.toFixed(0)}`);
    done = !p.body.includes('http-equiv="refresh"');
  }
  const importS = (performance.now() - tImport) / 1000;
  await Promise.all(loops);
  const importPeak = peak;
  await sleep(5000);
  const importAfter = rss();
  clearInterval(sampler);
  log(`import: ${status} in ${importS.toFixed(1)} s; ${busy.length} logins meanwhile, ${loginErrors} failed`);
  log(`logins alone: p50 ${pct(quiet, 50).toFixed(1)} ms, p99 ${pct(quiet, 99).toFixed(1)} ms`);
  const f = (x) => x.toFixed(0).padStart(5);
  const g = (x) => x.toFixed(1).padStart(6);
  console.log(
    `| ${LABEL.padEnd(10)} | ${f(idle)} | ${f(uploadPeak)} | ${f(uploadAfter)} | ${String(stored).padStart(2)}/${ORGS} | ${importS.toFixed(1).padStart(5)} ${status.padEnd(7)} | ${f(importPeak)} | ${f(importAfter)} | ${g(pct(quiet, 99))} | ${String(busy.length).padStart(4)} | ${g(pct(busy, 50))} | ${g(pct(busy, 99))} | ${g(Math.max(...busy))} | ${loginErrors} |`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
