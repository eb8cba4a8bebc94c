// Page weight and Lighthouse scores of the patient's pages, on the release build, signed in as the
// demo patient: what a patient's phone downloads on first load (HTML, CSS, JS, WASM, as sent with
// brotli) and Lighthouse's mobile performance and accessibility scores (simulated mid-range phone
// on a slow 4G network, Debian's Chromium). Run by `cargo xtask lighthouse`; prints a table.
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
const pages = [
  ['Patient home', '/'],
  ['Your health record', '/your-record'],
  ['Book: choose a service', '/book'],
];

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
  const cookie = await signIn('patient-p9');
  const rows = [];
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
  });
  try {
    for (const [name, address] of pages) {
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
} finally {
  stop();
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
  const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log('\nPage weight on first load (brotli on the wire / decoded), signed in as the demo patient:\n');
  console.log('| page | HTML | CSS | JS | WASM | total on the wire |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const { name, address, weight } of rows) {
    const cell = (kind) => (weight[kind] ? `${kib(weight[kind].wire)} / ${kib(weight[kind].decoded)}` : '–');
    const total = Object.values(weight).reduce((sum, w) => sum + w.wire, 0);
    console.log(`| ${name} (\`${address}\`) | ${cell('html')} | ${cell('css')} | ${cell('js')} | ${cell('wasm')} | ${kib(total)} |`);
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
