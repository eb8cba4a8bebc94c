// A schema-driven fuzzer nobody here wrote (schemathesis, from PyPI) against the OpenAPI document
// the server publishes at /fhir/openapi.json: requests made from the document's schemas, valid and
// deliberately invalid, a bounded number per operation with a fixed seed (so a failure can be
// replayed). Schemathesis itself checks that no request gets a 5xx, that every answer has a
// documented status, content type and body (every error an OperationOutcome), that requests the
// document calls invalid are refused and that requests without a token are. Then every exchange it
// recorded is read back here: no 5xx, every error an OperationOutcome, and every resource the
// server accepted and returned passes both independent validators.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, validationErrors } from './support.mjs';

// The types whose writes carry the most rules (NHS numbers, the booking rule), and the system
// level (batch, transaction, metadata); every type shares the same code paths. On PostgreSQL the
// two that reach the most of its own code (text and index rows). (Observation's schema is the
// largest: generating its requests takes minutes, so it is left to the examples suite.)
const TAGS = process.env.INTEROP_DATABASE_URL
  ? ['System', 'Patient']
  : ['System', 'Patient', 'Appointment', 'Slot'];
const EXAMPLES_PER_OPERATION = 4;
const SEED = 20261206;

const schemathesis = path.resolve(import.meta.dirname, '../.venv/bin/schemathesis');
let server;
let reports;

before(async () => {
  assert.ok(fs.existsSync(schemathesis), `${schemathesis} is missing: cargo xtask test installs it`);
  server = await startServer();
  reports = fs.mkdtempSync(path.join(os.tmpdir(), 'health-fuzz-'));
});
after(async () => {
  await server?.stop();
  if (reports) fs.rmSync(reports, { recursive: true, force: true });
});

test(`fuzzing ${TAGS.join(', ')}: no 5xx, every error an OperationOutcome, every accepted resource valid`, async (t) => {
  const har = path.join(reports, 'fuzz.har');
  // One run for every tag: loading the 4 MB document and its schemas takes schemathesis seconds.
  // It signs in itself (`fuzz_auth.py`), renewing its token as the run goes on.
  const { code, output } = await run(schemathesis, [
    'run', `${server.base}/openapi.json`,
    ...TAGS.flatMap((tag) => ['--include-tag', tag]),
    '--phases', 'fuzzing',
    '--max-examples', String(EXAMPLES_PER_OPERATION),
    '--seed', String(SEED),
    '--checks', 'all',
    // Valid by the document is not enough to be accepted: the server also checks what a
    // schema cannot say (invariants, references, NHS numbers), so this check cannot apply.
    '--exclude-checks', 'positive_data_acceptance',
    // The R4 schemas are large; generation is slow by nature, not by a fault of the document.
    '--suppress-health-check', 'too_slow,filter_too_much,large_base_example,data_too_large',
    '--generation-database', 'none',
    '--workers', '2',
    '--no-color',
    '--report', 'har', '--report-har-path', har,
  ]);
  assert.equal(code, 0, `schemathesis found problems (seed ${SEED}):\n${output}`);

  const entries = JSON.parse(fs.readFileSync(har, 'utf8')).log.entries;
  const counts = new Map();
  const problems = [];
  for (const { request, response } of entries) {
    const where = `${request.method} ${request.url.slice(0, 200)} → ${response.status}`;
    const text = response.content?.text;
    const body = text ? JSON.parse(text) : undefined;
    if (response.status >= 500) problems.push(`${where}: a server error`);
    if (response.status >= 400 && body?.resourceType !== 'OperationOutcome') {
      problems.push(`${where}: the error is not an OperationOutcome`);
    }
    const type = typeOf(request.url);
    const count = counts.get(type) ?? { requests: 0, accepted: 0 };
    count.requests += 1;
    const isWrite = ['POST', 'PUT', 'PATCH'].includes(request.method)
      && !request.url.includes('/_search') && !request.url.includes('/$validate');
    if (isWrite && response.status < 300 && body) {
      count.accepted += 1;
      for (const problem of validationErrors(body)) problems.push(`${where}: ${problem}`);
    }
    counts.set(type, count);
  }
  for (const [type, { requests, accepted }] of counts) {
    t.diagnostic(`${type}: ${requests} requests, ${accepted} writes accepted`);
  }
  for (const tag of TAGS) {
    assert.ok((counts.get(tag)?.requests ?? 0) >= 5, `only ${counts.get(tag)?.requests ?? 0} requests for ${tag}`);
  }
  assert.deepEqual(problems, []);
});

/** The tag a request's operation has: its resource type, or System for the base URL's own. */
function typeOf(url) {
  const [first = ''] = new URL(url).pathname.replace(/^\/fhir\/?/, '').split('/');
  return /^[A-Z][A-Za-z]+$/.test(first) ? first : 'System';
}

/** Runs a command to its end without blocking the event loop; its output, interleaved. */
function run(command, args) {
  return new Promise((resolve, reject) => {
    // In the run's temporary directory: schemathesis keeps a cache where it runs.
    const child = spawn(command, args, {
      cwd: reports,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        SCHEMATHESIS_HOOKS: path.join(import.meta.dirname, 'fuzz_auth.py'),
        FUZZ_TOKEN_URL: server.base.replace(/\/fhir$/, '/oauth2/token'),
      },
    });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
