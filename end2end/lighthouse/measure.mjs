// Page weight and Lighthouse scores of the patient's pages and the clinicians' record page, on the
// release build, signed in as the demo patient (or clinician): what a phone downloads on first
// load (HTML, CSS, JS, WASM, as sent with brotli) and Lighthouse's mobile performance and
// accessibility scores (simulated mid-range phone on a slow 4G network, Debian's Chromium). Run by
// `cargo xtask lighthouse`; prints the tables, then exits non-zero if any page misses a budget.
//
// Usage: node measure.mjs <server binary> <site root>

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const [serverBin, siteRoot] = process.argv.slice(2);
if (!serverBin || !siteRoot) {
  console.error('usage: node measure.mjs <server binary> <site root>');
  process.exit(2);
}
const port = 3300;
const base = `http://127.0.0.1:${port}`;
/** The budgets of issue 24: first load on the wire, and Lighthouse's mobile scores. */
const budget = { firstLoadBytes: 150 * 1000, performance: 98, accessibility: 100 };
/** [name, address, who is signed in]; the clinician's address is found once the server is up. */
const pages = [
  ['Patient home', '/', 'patient-p9'],
  ['Your health record', '/your-record', 'patient-p9'],
  ['Your appointments', '/appointments', 'patient-p9'],
  ['Book: choose a service', '/book', 'patient-p9'],
  ['Messages', '/messages', 'patient-p9'],
  ['Repeat prescriptions', '/prescriptions', 'patient-p9'],
  ['Check an NHS number (an island)', '/check-an-nhs-number', 'patient-p9'],
  ['A patient\'s record, for a clinician', null, 'clinician'],
];
/** The first demo patient: the one `patient-p9` signs in as. */
const FIRST_DEMO_NHS_NUMBER = '9990000018';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'health-lighthouse-'));
const server = spawn(serverBin, [], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    HEALTH_BIND_ADDR: `127.0.0.1:${port}`,
    HEALTH_DATA_DIR: dataDir,
    HEALTH_DEMO_MODE: 'true',
    HEALTH_LOG: 'warn',
    HEALTH_PUBLIC_URL: base,
    LEPTOS_SITE_ROOT: siteRoot,
  },
});
const stop = () => {
  server.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
};

try {
  await waitUntilReady();
  const cookies = {};
  for (const persona of new Set(pages.map(([, , persona]) => persona))) cookies[persona] = await signIn(persona);
  pages[pages.length - 1][1] = await recordPageOf(FIRST_DEMO_NHS_NUMBER, cookies.clinician);
  const rows = [];
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
  });
  try {
    for (const [name, address, persona] of pages) {
      const cookie = cookies[persona];
      const weight = await pageWeight(address, cookie);
      const result = await lighthouse(`${base}${address}`, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance', 'accessibility'],
        extraHeaders: { Cookie: cookie },
      });
      const { categories, audits, lighthouseVersion, environment } = result.lhr;
      const chromium = environment.hostUserAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? 'unknown';
      rows.push({ name, address, weight, categories, audits, versions: `Lighthouse ${lighthouseVersion}, Chromium ${chromium}` });
    }
  } finally {
    await chrome.kill();
  }
  print(rows);
  const missed = overBudget(rows);
  if (missed.length > 0) {
    console.log(`\nOver budget:\n${missed.map((m) => `- ${m}`).join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log(`\nEvery page is within budget (first load ≤ ${budget.firstLoadBytes / 1000} KB, performance ≥ ${budget.performance}, accessibility ${budget.accessibility}).`);
  }
} finally {
  stop();
}

/** Each page's misses of `budget`, in words. */
function overBudget(rows) {
  return rows.flatMap(({ name, weight, categories }) => {
    const missed = [];
    const total = Object.values(weight).reduce((sum, w) => sum + w.wire, 0);
    if (total > budget.firstLoadBytes) missed.push(`${name}: first load ${(total / 1000).toFixed(1)} KB > ${budget.firstLoadBytes / 1000} KB`);
    for (const category of ['performance', 'accessibility']) {
      const score = Math.round(categories[category].score * 100);
      if (score < budget[category]) missed.push(`${name}: ${category} ${score} < ${budget[category]}`);
    }
    return missed;
  });
}

/** The clinicians' page of the patient with `nhsNumber`, as "Find a patient" links to it. */
async function recordPageOf(nhsNumber, cookie) {
  const found = await request('GET', `/patients?nhs-number=${nhsNumber}`, { headers: { cookie } });
  const address = found.body.toString('utf8').match(/href="(\/patients\/[\w-]+)"/)?.[1];
  if (found.status !== 200 || !address) throw new Error(`finding patient ${nhsNumber} answered ${found.status} without a record link`);
  return address;
}

async function waitUntilReady() {
  for (let attempt = 0; attempt < 120; attempt++) {
    const status = await request('GET', '/readyz').then((r) => r.status, () => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the server did not become ready in 60 s');
}

/** Signs in as a demo persona, as the sign-in page's form does; returns the session cookie. */
async function signIn(persona) {
  const response = await request('POST', '/auth/demo', {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: base,
      'sec-fetch-site': 'same-origin',
    },
    body: `persona=${persona}`,
  });
  const cookies = [response.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]);
  if (response.status !== 303 || cookies.length === 0) {
    throw new Error(`signing in as ${persona} answered ${response.status}`);
  }
  return cookies.join('; ');
}

/** Bytes on the wire (brotli, as Chromium asks) and decoded, per kind, for a first load. */
async function pageWeight(address, cookie) {
  const page = await request('GET', address, { headers: { cookie, 'accept-encoding': 'br' } });
  if (page.status !== 200) throw new Error(`${address} answered ${page.status}`);
  const html = decode(page).toString('utf8');
  const assets = [...new Set(html.match(/\/pkg\/[^"' )]+/g) ?? [])];
  const weight = { html: sizes(page) };
  for (const asset of assets) {
    const kind = path.extname(asset).slice(1);
    const response = await request('GET', asset, { headers: { 'accept-encoding': 'br' } });
    if (response.status !== 200) throw new Error(`${asset} answered ${response.status}`);
    const size = sizes(response);
    weight[kind] = {
      wire: (weight[kind]?.wire ?? 0) + size.wire,
      decoded: (weight[kind]?.decoded ?? 0) + size.decoded,
    };
  }
  return weight;
}

function sizes(response) {
  return { wire: response.body.length, decoded: decode(response).length };
}

function decode(response) {
  switch (response.headers['content-encoding']) {
    case 'br': return zlib.brotliDecompressSync(response.body);
    case 'gzip': return zlib.gunzipSync(response.body);
    default: return response.body;
  }
}

function request(method, address, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${address}`, { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

function print(rows) {
  const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
  console.log('\nPage weight on first load (brotli on the wire / decoded), signed in as the demo patient or clinician:\n');
  console.log('| page | HTML | CSS | JS | WASM | total on the wire |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const { name, address, weight } of rows) {
    const cell = (kind) => (weight[kind] ? `${kb(weight[kind].wire)} / ${kb(weight[kind].decoded)}` : '–');
    const total = Object.values(weight).reduce((sum, w) => sum + w.wire, 0);
    console.log(`| ${name} (\`${address}\`) | ${cell('html')} | ${cell('css')} | ${cell('js')} | ${cell('wasm')} | ${kb(total)} |`);
  }
  console.log(`\n${rows[0].versions}, mobile (simulated slow 4G, 4x CPU slowdown):\n`);
  console.log('| page | performance | accessibility | FCP | LCP | TBT | CLS |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const { name, categories, audits } of rows) {
    const score = (category) => Math.round(categories[category].score * 100);
    const shown = (audit) => audits[audit].displayValue.replace(/\u00a0/g, ' ');
    console.log(
      `| ${name} | ${score('performance')} | ${score('accessibility')} | ${shown('first-contentful-paint')} | ${shown('largest-contentful-paint')} | ${shown('total-blocking-time')} | ${shown('cumulative-layout-shift')} |`,
    );
  }
  const failing = rows.flatMap(({ name, audits, categories }) =>
    categories.accessibility.auditRefs
      .filter((ref) => ref.weight > 0 && audits[ref.id].score !== null && audits[ref.id].score < 1)
      .map((ref) => `${name}: ${audits[ref.id].title}`));
  if (failing.length > 0) {
    console.log('\nAccessibility audits that did not pass:\n' + failing.map((f) => `- ${f}`).join('\n'));
  }
}
