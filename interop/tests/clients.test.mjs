// Two more FHIR clients nobody here wrote (fhir-kit-client, as many Node integrations use it, and
// fhirpy, the Python one) do what a lab or registration system does day to day: send patients in a
// batch, count and page through a search, update a patient known only by NHS number, and patch
// one element. Every resource fhir-kit-client gets back is checked by both validators.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from 'fhir-kit-client';
import { bearer, startServer, validationErrors } from './support.mjs';

const NHS_NUMBER = 'https://fhir.nhs.uk/Id/nhs-number';
// Synthetic, from the 999 test range, each passing the modulus-11 check.
const NHS_NUMBERS = ['9997700007', '9997700015', '9997700023'];

let server;
let client;

before(async () => {
  server = await startServer();
  client = new Client({ baseUrl: server.base, bearerToken: await bearer() });
});
after(() => server?.stop());

function patient(nhsNumber, given) {
  return {
    resourceType: 'Patient',
    identifier: [{ system: NHS_NUMBER, value: nhsNumber }],
    name: [{ family: 'Kitclient', given: [given] }],
    gender: 'unknown',
    birthDate: '1985-02-17',
  };
}

function assertValid(resource) {
  assert.deepEqual(validationErrors(resource), [], JSON.stringify(resource));
}

test('a batch of patients, counted and paged through', async () => {
  const answered = await client.batch({
    body: {
      resourceType: 'Bundle',
      type: 'batch',
      entry: NHS_NUMBERS.map((n, i) => ({
        resource: patient(n, `Person${i}`),
        request: { method: 'POST', url: 'Patient' },
      })),
    },
  });
  assertValid(answered);
  assert.deepEqual(
    answered.entry.map((e) => e.response.status),
    ['201 Created', '201 Created', '201 Created'],
  );

  const counted = await client.search({
    resourceType: 'Patient',
    searchParams: { family: 'Kitclient', _summary: 'count' },
  });
  assertValid(counted);
  assert.equal(counted.total, 3);
  assert.equal(counted.entry, undefined, 'a count sends no resources');

  const seen = [];
  let page = await client.search({
    resourceType: 'Patient',
    searchParams: { family: 'Kitclient', _count: 2, _sort: 'given' },
  });
  while (page) {
    assertValid(page);
    seen.push(...(page.entry ?? []).map((e) => e.resource.name[0].given[0]));
    page = await client.nextPage({ bundle: page });
  }
  assert.deepEqual(seen, ['Person0', 'Person1', 'Person2']);
});

test('an update by NHS number changes the one patient it names', async () => {
  const changed = { ...patient(NHS_NUMBERS[1], 'Person1'), gender: 'female' };
  const updated = await client.update({
    resourceType: 'Patient',
    searchParams: { identifier: `${NHS_NUMBER}|${NHS_NUMBERS[1]}` },
    body: changed,
  });
  assertValid(updated);
  assert.equal(updated.gender, 'female');
  assert.equal(updated.meta.versionId, '2');
  const all = await client.search({ resourceType: 'Patient', searchParams: { identifier: `${NHS_NUMBER}|${NHS_NUMBERS[1]}` } });
  assert.equal(all.total, 1, 'updated, not duplicated');

  const patched = await client.patch({
    resourceType: 'Patient',
    id: updated.id,
    jsonPatch: [{ op: 'replace', path: '/birthDate', value: '1985-02-18' }],
  });
  assertValid(patched);
  assert.equal(patched.birthDate, '1985-02-18');
  assert.equal(patched.meta.versionId, '3');

  await assert.rejects(
    client.patch({
      resourceType: 'Patient',
      id: updated.id,
      jsonPatch: [{ op: 'replace', path: '/birthDate', value: 'last Tuesday' }],
    }),
    (error) => {
      assert.equal(error.response?.status, 422);
      assert.equal(error.response?.data?.resourceType, 'OperationOutcome');
      return true;
    },
  );
});

test('fhirpy, the Python client, sends a batch, counts, pages and updates by NHS number', async () => {
  // interop/.venv is made by `cargo xtask test` from interop/requirements.txt.
  const python = path.join(import.meta.dirname, '../.venv/bin/python');
  const script = path.join(import.meta.dirname, 'fhirpy_client.py');
  const run = spawnSync(python, [script, server.base, await bearer()], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.error, undefined, `could not run ${python}: ${run.error}`);
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /all worked/);
});
