// The deadline burst on one call (bench/bids.sh runs it): every NGO account logs in and
// opens its bid page beforehand (not timed); in the last 60 s before the deadline each
// organization uploads two 1 MiB attachments (a PDF and a PNG) through the page form and
// submits its bid through the API, and some organizations revise theirs. After the
// deadline the officer opens the call and the opened bids are checked against the
// receipts. Prints one markdown table row; details go to stderr.
//
// Node 20, no dependencies. Usage:
//   node bench/bids.mjs --base URL --call ID --deadline RFC3339 --orgs N --password P \
//     [--label sqlite] [--revisions 200] [--concurrency 48] [--spread 45] [--window 60] \
//     [--server-pid PID]   (to split the CPU used during the burst: server, database, client, others)
// Organizations start at random moments (fixed seed) in the first --spread seconds of the
// window (0: all at once, limited only by --concurrency); a revision follows 2–10 s after
// its organization's first bid. Latency is measured per request from the moment it is due
// (its organization's previous step done, or its start time come) to the end of its response
// body, so it includes any wait for one of the --concurrency slots; the service time alone
// (from sending) is reported on stderr.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const BASE = (args.base || 'http://127.0.0.1:8093').replace(/\/$/, '');
const CALL = Number(args.call);
const DEADLINE = Date.parse(args.deadline);
const ORGS = Number(args.orgs || 500);
const PASSWORD = args.password;
const LABEL = args.label || 'db';
const REVISIONS = Math.min(Number(args.revisions ?? 200), ORGS);
const CONCURRENCY = Number(args.concurrency || 48);
const WINDOW_S = Number(args.window || 60);
const SPREAD_S = Number(args.spread ?? 45);
const SERVER_PID = Number(args['server-pid'] || 0);
const MIB = 1024 * 1024;
if (!CALL || !Number.isFinite(DEADLINE) || !PASSWORD) {
  console.error('usage: node bench/bids.mjs --base URL --call ID --deadline RFC3339 --orgs N --password P');
  process.exit(2);
}

const log = (...m) => console.error(`# ${LABEL}:`, ...m);
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

// mulberry32: the same schedule on every run and database.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20261126);

/** At most `n` at once. */
function limiter(n) {
  let active = 0;
  const waiting = [];
  const next = () => {
    if (active < n && waiting.length) {
      active++;
      waiting.shift()();
    }
  };
  return async (fn) => {
    await new Promise((r) => {
      waiting.push(r);
      next();
    });
    try {
      return await fn();
    } finally {
      active--;
      next();
    }
  };
}

// A browser's cookie jar, reduced to what the server sets: name=value pairs.
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
      // The flash message is for the next page a browser shows; removals expire the cookie.
      if (name === '_flash') continue;
      if (value === '' || attrs.some((a) => /max-age=0\b/i.test(a.trim()))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

// CPU seconds used so far (Linux /proc, USER_HZ = 100): the whole machine (busy time over
// all cores), the server, the PostgreSQL processes; null where /proc is not there. The
// machine may be shared: what neither this client, the server nor the database used was
// someone else's, and the figures are only as good as that share is small.
function cpuNow() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n');
    const [, user, nice, system, , , irq, softirq, steal] = f[0].trim().split(/\s+/).map(Number);
    const cores = f.filter((l) => /^cpu\d/.test(l)).length;
    const ticks = (pid) => {
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = st.slice(st.lastIndexOf(')') + 2).split(' ');
      return { comm: st.slice(st.indexOf('(') + 1, st.lastIndexOf(')')), t: Number(rest[11]) + Number(rest[12]) };
    };
    let server = 0;
    let database = 0;
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const { comm, t } = ticks(d);
        if (Number(d) === SERVER_PID) server = t;
        else if (comm === 'postgres') database += t;
      } catch {
        // gone meanwhile
      }
    }
    const machine = (user + nice + system + irq + softirq + steal) / 100;
    return { cores, machine, server: server / 100, database: database / 100 };
  } catch {
    return null;
  }
}

const csrfIn = (html) => (html.match(/name="csrf" value="([^"]*)"/) || [])[1];

async function login(email) {
  const jar = new Jar();
  let res = await fetch(`${BASE}/login`);
  jar.take(res);
  const csrf = csrfIn(await res.text());
  if (!csrf) throw new Error(`${email}: no CSRF token on /login`);
  res = await fetch(`${BASE}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: jar.header(), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, email, password: PASSWORD, next: '/' }),
  });
  jar.take(res);
  await res.arrayBuffer();
  if (res.status !== 303 || !jar.cookies.has('fuhua_session')) throw new Error(`${email}: login gave ${res.status}`);
  return jar;
}

// Two distinct files per organization, recognised by their bytes as a PDF and a PNG.
const filler = Buffer.alloc(MIB);
for (let i = 0; i < MIB; i++) filler[i] = (Math.imul(i, 2654435761) >>> 24) & 0xff;
function pdf(org) {
  const b = Buffer.from(filler);
  const head = Buffer.from(`%PDF-1.4\n% bench bid ${CALL} organization ${org}: service plan\n`);
  head.copy(b, 0);
  Buffer.from('\n%%EOF\n').copy(b, MIB - 7);
  return b;
}
function png(org) {
  const b = Buffer.from(filler);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  Buffer.from(`bench bid ${CALL} organization ${org}: team photo`).copy(b, 8);
  return b;
}
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

function bidBody(org, revised) {
  const base = 300_000 + org * 37 + (revised ? 1_000 : 0);
  return {
    service_plan:
      `第 ${org} 号机构的服务方案${revised ? '（修订版）' : ''}：以社区为单位建立服务台账，社工每周走访，` +
      '心理咨询师每月开展一次团体辅导，志愿者协助开展社会适应活动。'.repeat(12),
    team: '项目主管 1 名（中级社工师），一线社工 3 名，心理咨询师 1 名（兼职）。',
    outputs: [
      { indicator: '个案服务', quantity: String(60 + (revised ? 5 : 0)), unit: '个' },
      { indicator: '小组活动', quantity: '24', unit: '节' },
    ],
    budget: [
      { category: '人员经费', description: '5 人，12 个月', amount: String(base) },
      { category: '活动经费', description: '小组与社区活动', amount: '60000' },
      { category: '管理费', description: '', amount: '12000.50' },
    ],
  };
}

// ---- before the burst (not timed) ----
const t0 = Date.now();
if (DEADLINE - WINDOW_S * 1000 - t0 < 5000) {
  log(`the deadline is too close for logins plus a ${WINDOW_S} s window; seed with a later deadline`);
  process.exit(2);
}
const users = [];
const slow = limiter(4);
await Promise.all(
  Array.from({ length: ORGS }, (_, i) =>
    slow(async () => {
      const jar = await login(`bench-ngo-${i}@fuhua.local`);
      const res = await fetch(`${BASE}/calls/${CALL}/bid`, { headers: { Cookie: jar.header() } });
      jar.take(res);
      const html = await res.text();
      const csrf = csrfIn(html);
      if (res.status !== 200 || !csrf) throw new Error(`bench-ngo-${i}: bid page gave ${res.status}`);
      users[i] = { jar, csrf };
    }),
  ),
);
log(`${ORGS} accounts logged in with their bid pages open in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const start = DEADLINE - WINDOW_S * 1000;
if (Date.now() > start) {
  log(`logins ended ${((Date.now() - start) / 1000).toFixed(1)} s into the window; seed with a later deadline`);
  process.exit(2);
}
log(`waiting ${((start - Date.now()) / 1000).toFixed(1)} s for the last ${WINDOW_S} s before the deadline`);

// ---- the burst ----
const revisers = new Set(
  Array.from({ length: ORGS }, (_, i) => i)
    .map((i) => [random(), i])
    .sort((a, b) => a[0] - b[0])
    .slice(0, REVISIONS)
    .map(([, i]) => i),
);
const plan = Array.from({ length: ORGS }, (_, i) => ({
  at: random() * SPREAD_S * 1000,
  reviseAfter: 2000 + random() * 8000,
}));
const records = []; // {kind, status, ms, service, error}
const receipts = new Map(); // org -> latest receipt
const uploaded = new Map(); // org -> [sha256, sha256]
const slot = limiter(CONCURRENCY);
let inFlight = 0;
let maxInFlight = 0;
let maxLag = 0;
let burstStart = 0;
let firstSent = Infinity;
let lastDone = 0;

async function timed(kind, intended, send, ok) {
  return slot(async () => {
    const sent = performance.now();
    maxLag = Math.max(maxLag, sent - intended);
    firstSent = Math.min(firstSent, sent);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let status = 0;
    let error = '';
    let body;
    try {
      const res = await send();
      status = res.status;
      body = await res.text();
      if (!ok(res)) error = `${kind} ${status}: ${body.replace(/\s+/g, ' ').slice(0, 300)}`;
    } catch (e) {
      error = `${kind}: ${e.cause?.code || e.cause?.message || e.message}`;
    } finally {
      inFlight--;
    }
    const done = performance.now();
    lastDone = Math.max(lastDone, done);
    records.push({ kind, status, ms: done - intended, service: done - sent, at: intended - burstStart, error });
    return error ? null : body;
  });
}

function upload(org, name, type, bytes, intended) {
  const { jar, csrf } = users[org];
  return timed(
    'upload',
    intended,
    () => {
      const form = new FormData();
      form.append('csrf', csrf);
      form.append('file', new Blob([bytes], { type }), name);
      return fetch(`${BASE}/calls/${CALL}/bid/attachments`, {
        method: 'POST',
        redirect: 'manual',
        headers: { Cookie: jar.header() },
        body: form,
      });
    },
    (res) => res.status === 303 && (res.headers.get('location') || '').endsWith('/bid#files'),
  );
}

async function bid(org, kind, revised, intended) {
  const body = await timed(
    kind,
    intended,
    () =>
      fetch(`${BASE}/api/v1/calls/${CALL}/bid`, {
        method: 'POST',
        headers: { Cookie: users[org].jar.header(), Origin: BASE, 'Content-Type': 'application/json' },
        body: JSON.stringify(bidBody(org, revised)),
      }),
    (res) => res.status === 201,
  );
  if (body === null) return null;
  const r = JSON.parse(body);
  const prev = receipts.get(org);
  if (!prev || r.version_no > prev.version_no) receipts.set(org, r);
  return r;
}

async function organization(org) {
  const at = plan[org].at;
  await sleep(start + at - Date.now());
  const a = pdf(org);
  const b = png(org);
  uploaded.set(org, [sha256(a), sha256(b)]);
  await upload(org, `服务方案-${org}.pdf`, 'application/pdf', a, performance.now());
  await upload(org, `团队照片-${org}.png`, 'image/png', b, performance.now());
  const first = await bid(org, 'bid', false, performance.now());
  if (!revisers.has(org) || !first) return;
  // Revisions too are due inside the window, 3 s before the deadline at the latest.
  await sleep(start + Math.min(at + plan[org].reviseAfter, WINDOW_S * 1000 - 3000) - Date.now());
  await bid(org, 'revision', true, performance.now());
}

await sleep(start - Date.now());
const cpu0 = process.cpuUsage();
burstStart = performance.now();
const machine0 = cpuNow();
log(`burst: ${ORGS} organizations, ${REVISIONS} revisions, ${CONCURRENCY} requests in flight at most`);
await Promise.all(Array.from({ length: ORGS }, (_, i) => organization(i)));
const burstEnd = Date.now();
const cpu = process.cpuUsage(cpu0);
const machine1 = cpuNow();
log(`burst done ${(Math.abs(DEADLINE - burstEnd) / 1000).toFixed(1)} s ${burstEnd <= DEADLINE ? 'before' : 'after'} the deadline`);

// ---- opening ----
await sleep(DEADLINE - Date.now() + 1000);
const officer = await login('bench-officer@fuhua.local');
const openStart = performance.now();
const res = await fetch(`${BASE}/api/v1/calls/${CALL}/open`, {
  method: 'POST',
  headers: { Cookie: officer.header(), Origin: BASE, 'Content-Type': 'application/json' },
  body: '{}',
});
const openText = await res.text();
const openMs = performance.now() - openStart;
let opened = [];
if (res.status === 200) opened = JSON.parse(openText).bids;
else log(`opening failed: ${res.status} ${openText.slice(0, 300)}`);
log(`opening took ${openMs.toFixed(0)} ms (status ${res.status}, call ${res.status === 200 ? JSON.parse(openText).status : '?'})`);

// ---- checks ----
// A receipt names no bid row (ids would count the bids before it): it is matched to the
// opened bid by its digest, and its canonical bytes must give that digest.
const byDigest = new Map(opened.map((b) => [b.digest, b]));
const orgIds = new Set(opened.map((b) => b.organization_id));
const duplicates = opened.length - Math.min(new Set(opened.map((b) => b.bid_ref)).size, orgIds.size);
const receiptBids = new Set([...receipts.values()].map((r) => r.digest));
let matching = 0;
let filesMatching = 0;
const problems = [];
for (let org = 0; org < ORGS; org++) {
  const r = receipts.get(org);
  if (!r) {
    problems.push(`organization ${org}: no receipt`);
    continue;
  }
  if (sha256(r.canonical) !== r.digest) problems.push(`organization ${org}: receipt bytes do not give its digest`);
  const o = byDigest.get(r.digest);
  if (!o) problems.push(`organization ${org}: bid with digest ${r.digest} not opened`);
  else if (o.digest !== r.digest || o.version_no !== r.version_no || !o.digest_ok)
    problems.push(`organization ${org}: opened v${o.version_no} ${o.digest} digest_ok=${o.digest_ok}, receipt v${r.version_no} ${r.digest}`);
  else matching++;
  const want = uploaded.get(org) || [];
  const got = (o?.attachments || []).map(([id, a]) => id !== null && a.sha256);
  if (want.length === 2 && want.every((s) => got.includes(s)) && got.length === 2) filesMatching++;
}
const expectedVersions = [...receipts].filter(([org, r]) => r.version_no === (revisers.has(org) ? 2 : 1)).length;
if (receiptBids.size !== receipts.size) problems.push(`${receipts.size - receiptBids.size} receipts share a bid`);
if (opened.some((b) => !b.digest_ok)) problems.push(`${opened.filter((b) => !b.digest_ok).length} bids fail digest_ok`);

// ---- figures ----
const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = records.map((r) => r.ms);
const five = records.filter((r) => r.status >= 500).length;
const other = records.filter((r) => r.error && r.status < 500).length;
const secs = (lastDone - firstSent) / 1000;
for (const kind of ['upload', 'bid', 'revision']) {
  const k = records.filter((r) => r.kind === kind);
  const x = k.map((r) => r.ms);
  const y = k.map((r) => r.service);
  log(
    `${kind}: ${k.length} requests, p50 ${pct(x, 50).toFixed(1)} ms, p99 ${pct(x, 99).toFixed(1)} ms, ` +
      `max ${Math.max(...x).toFixed(1)} ms (from sending: p50 ${pct(y, 50).toFixed(1)}, p99 ${pct(y, 99).toFixed(1)}), ` +
      `${k.filter((r) => r.error).length} errors`,
  );
}
const buckets = [];
for (let b = 0; b * 10_000 < Math.max(...records.map((r) => r.at)) + 1; b++) {
  const x = records.filter((r) => r.at >= b * 10_000 && r.at < (b + 1) * 10_000).map((r) => r.ms);
  if (x.length) buckets.push(`${b * 10}–${b * 10 + 10} s: ${x.length} req, p99 ${pct(x, 99).toFixed(0)} ms`);
}
log(`by when requests were due in the window: ${buckets.join('; ')}`);
log(`at most ${maxInFlight} requests in flight; longest wait for a slot ${maxLag.toFixed(0)} ms`);
const clientCpu = (cpu.user + cpu.system) / 1e6;
if (machine0 && machine1) {
  const wall = (burstEnd - start) / 1000;
  const core = (x) => (x / wall).toFixed(2);
  const server = machine1.server - machine0.server;
  const database = machine1.database - machine0.database;
  const all = machine1.machine - machine0.machine;
  log(
    `CPU during the burst, in cores busy on average (of ${machine0.cores}): machine ${core(all)}, ` +
      `server ${SERVER_PID ? core(server) : '?'}, PostgreSQL ${core(database)}, this client ${core(clientCpu)}, ` +
      `other processes ${SERVER_PID ? core(all - server - database - clientCpu) : '?'}`,
  );
} else {
  log(`this client used ${clientCpu.toFixed(1)} s of CPU during the burst`);
}
log(`${receipts.size} receipts, ${expectedVersions} with the expected version (1, or 2 after a revision); ` +
  `${filesMatching} opened bids list both files`);
const errors = [...new Set(records.filter((r) => r.error).map((r) => r.error))];
for (const e of errors.slice(0, 10)) log(`error: ${e}`);
for (const p of problems.slice(0, 10)) log(`check: ${p}`);
if (duplicates) log(`check: ${duplicates} duplicated bids among the opened`);
const pass = !five && !other && opened.length === ORGS && !duplicates && matching === ORGS && pct(ms, 99) < 1000;
log(pass ? 'targets met' : 'TARGETS MISSED');
console.log(
  `| ${LABEL.padEnd(10)} | ${String(records.length).padStart(8)} | ${secs.toFixed(1).padStart(10)} | ` +
    `${(records.length / secs).toFixed(1).padStart(7)} | ${pct(ms, 50).toFixed(1).padStart(7)} | ` +
    `${pct(ms, 99).toFixed(1).padStart(7)} | ${String(five).padStart(3)} | ${String(other).padStart(12)} | ` +
    `${String(opened.length).padStart(11)} | ${String(matching).padStart(16)} |`,
);
