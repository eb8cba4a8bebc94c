// Every official FHIR R4 example goes in through the REST API: each that HL7's JSON schema and
// Medplum's validator accept comes back the same (and valid), each they reject is refused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createRequire } from 'node:module';
import { fhir, fhirUnchecked, startServer, validationErrors, withoutMeta } from './support.mjs';

const require = createRequire(import.meta.url);
const examplesDir = path.dirname(require.resolve('hl7.fhir.r4.examples/package.json'));

let server;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

test('the CapabilityStatement is valid FHIR', async () => {
  const { status, json, problems } = await fhir(server.base, 'GET', 'metadata');
  assert.equal(status, 200);
  assert.equal(json.resourceType, 'CapabilityStatement');
  assert.deepEqual(problems, []);
});

// Examples are read one at a time (the package holds 190 MB of them); those over the server's
// 2 MB body limit (the package's own definition bundles) are reported, not sent.
const BODY_LIMIT = 2 * 1024 * 1024;

test('every valid official example round-trips unchanged and every invalid one is refused', async () => {
  const { json: capability } = await fhir(server.base, 'GET', 'metadata');
  const supported = new Set(capability.rest[0].resource.map((r) => r.type));
  const files = fs
    .readdirSync(examplesDir)
    .filter((f) => f.endsWith('.json') && f !== 'package.json' && !f.startsWith('.'))
    // Appointments last: booking one needs its Slot stored first.
    .sort((a, b) => a.startsWith('Appointment-') - b.startsWith('Appointment-') || a.localeCompare(b));
  assert.ok(files.length > 5000, `found ${files.length} examples`);

  const tally = new Map();
  const failures = [];
  const invalidAsPublished = [];
  const tooLarge = [];
  const acceptedInvalid = [];
  const refusedInvalid = [];
  const unsupported = new Set();
  let sent = 0;
  for (const file of files) {
    const filePath = path.join(examplesDir, file);
    if (fs.statSync(filePath).size > BODY_LIMIT) {
      tooLarge.push(file);
      continue;
    }
    const example = JSON.parse(fs.readFileSync(filePath, 'utf8'));
    const type = example.resourceType;
    if (!supported.has(type) || !example.id) {
      unsupported.add(type);
      continue;
    }
    // An example the independent validators reject as published must be refused, with an
    // OperationOutcome naming where.
    const published = validationErrors(example);
    if (published.length > 0) {
      const name = `${type}/${example.id}`;
      invalidAsPublished.push(`${name}: ${published.slice(0, 2).join('; ')}`);
      const written = await fhirUnchecked(server.base, 'PUT', `${type}/${example.id}`, example);
      const said = written.json?.issue?.[0];
      if ([200, 201].includes(written.status)) acceptedInvalid.push(name);
      else if (written.json?.resourceType !== 'OperationOutcome' || !said?.diagnostics) {
        failures.push(`${name}: refused with ${written.status} but no OperationOutcome`);
      } else refusedInvalid.push(`${name}: ${written.status} ${said.expression?.[0] ?? ''} ${said.diagnostics}`);
      continue;
    }
    sent += 1;
    const counts = tally.get(type) ?? { passed: 0, total: 0 };
    counts.total += 1;
    tally.set(type, counts);
    // PUT keeps the example's id, so the examples' references to each other still hold. The
    // audit trail is append-only, so AuditEvents are created and take the server's id.
    const appendOnly = type === 'AuditEvent';
    const written = appendOnly
      ? await fhirUnchecked(server.base, 'POST', type, example)
      : await fhirUnchecked(server.base, 'PUT', `${type}/${example.id}`, example);
    const id = appendOnly ? written.json?.id : example.id;
    const read = await fhirUnchecked(server.base, 'GET', `${type}/${id}`);
    const problems = [];
    if (![200, 201].includes(written.status)) {
      problems.push(`write answered ${written.status}: ${JSON.stringify(written.json?.issue)}`);
    } else {
      problems.push(...validationErrors(read.json));
      try {
        assert.deepEqual({ ...withoutMeta(read.json), id: example.id }, withoutMeta(example));
      } catch {
        problems.push('read back differs from the original');
      }
    }
    if (problems.length === 0) counts.passed += 1;
    else failures.push(`${type}/${example.id}: ${problems.slice(0, 3).join('; ')}`);
  }

  const rows = [...tally].sort(([a], [b]) => a.localeCompare(b));
  console.log(`\nOfficial R4 examples through the API, ${rows.length} types (passed / total):`);
  for (const [type, { passed, total }] of rows) console.log(`  ${type.padEnd(34)} ${passed} / ${total}`);
  const passed = rows.reduce((n, [, c]) => n + c.passed, 0);
  console.log(`  ${'all'.padEnd(34)} ${passed} / ${sent}`);
  console.log(`Over the 2 MB body limit, not sent (${tooLarge.length}): ${tooLarge.join(', ')}`);
  console.log(`Invalid as published (${invalidAsPublished.length}):`);
  for (const line of invalidAsPublished) console.log(`  ${line}`);
  console.log(`  refused by the server (${refusedInvalid.length}):`);
  for (const line of refusedInvalid) console.log(`    ${line}`);
  console.log(`  accepted by the server (${acceptedInvalid.length}): ${acceptedInvalid.join(', ')}`);
  assert.deepEqual(failures, []);
  assert.deepEqual(acceptedInvalid, [], 'every example the validators reject is refused');
  assert.deepEqual([...unsupported], [], 'every type in the package is supported');
  // A validator that rejected everything would make this test pass vacuously.
  assert.ok(invalidAsPublished.length < sent / 50, `${invalidAsPublished.length} examples called invalid`);
});

test('search, history and error responses are valid FHIR too', async () => {
  const searches = [
    'Patient?family=sm&_count=5',
    'Slot?status=free&_count=3&_include=Slot:schedule',
    'Appointment?_count=2&_include=Appointment:patient',
    'Patient?_summary=count',
    // Parts of each match, still valid resources.
    'Patient?_summary=true&_count=5',
    'Patient?_summary=text&_count=2',
    'Patient?_summary=data&_count=2',
    'Observation?_elements=subject,value&_count=5',
    // Uncounted: a searchset without `total`, with a next link.
    'Patient?_count=2&_total=none',
    'Observation?patient=Patient/example&_sort=date',
    'Patient/example/_history',
    // The audit trail the calls above left behind.
    'AuditEvent?_count=20&_sort=-date',
  ];
  for (const url of searches) {
    const { status, json, problems } = await fhir(server.base, 'GET', url);
    assert.equal(status, 200, url);
    assert.equal(json.resourceType, 'Bundle', url);
    assert.deepEqual(problems, [], url);
  }
  const errors = [
    ['GET', 'Patient/does-not-exist', undefined, 404],
    ['GET', 'Patient?colour=blue', undefined, 400],
    ['POST', 'Patient', { resourceType: 'Observation' }, 400],
  ];
  for (const [method, url, body, expected] of errors) {
    const { status, json, problems } = await fhir(server.base, method, url, body);
    assert.equal(status, expected, url);
    assert.equal(json.resourceType, 'OperationOutcome', url);
    assert.deepEqual(problems, [], url);
  }
});
