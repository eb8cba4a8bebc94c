// A FHIR client nobody here wrote (Medplum's MedplumClient) signs in with OAuth2 client
// credentials and does what a booking system connecting to a practice does: registers a patient,
// finds them again, books a free slot, is refused a second booking of it, and cancels.
// Every resource it gets back is checked by both independent validators.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MedplumClient, OperationOutcomeError } from '@medplum/core';
import { startServer, validationErrors } from './support.mjs';

let server;
let client;
// The status of every response, in order: MedplumClient turns an error into an exception that
// carries the OperationOutcome but not the HTTP status, which is part of what is promised.
const statuses = [];

/** A MedplumClient for this server that records each response's status in `statuses`. */
function medplumClient(options = {}) {
  return new MedplumClient({
    baseUrl: server.base.replace(/fhir$/, ''),
    fhirUrlPath: 'fhir',
    // Not a Medplum server: no `auth/me` profile lookup after signing in.
    medplumServer: false,
    cacheTime: 0,
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      statuses.push(response.status);
      return response;
    },
    ...options,
  });
}

before(async () => {
  server = await startServer();
  client = medplumClient();
  // The README's demo client (demo mode registers it; the data is synthetic).
  await client.startClientLogin('demo-client', 'demo-secret-synthetic-data-only');
});
after(() => server?.stop());

/** The resource, after asserting that both validators accept it. */
function valid(resource) {
  assert.deepEqual(validationErrors(resource), [], `${resource.resourceType}/${resource.id}`);
  return resource;
}

/** What `promise` was refused with: the HTTP status and the OperationOutcome's first issue. */
async function refusal(promise) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof OperationOutcomeError, String(error));
    valid(error.outcome);
    return { status: statuses.at(-1), issue: error.outcome.issue[0] };
  }
  assert.fail('expected the server to refuse');
}

/** A random NHS number from the 999 test range that passes the modulus-11 check. */
function testNhsNumber() {
  for (;;) {
    const digits = `999${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
    const sum = [...digits].reduce((total, d, i) => total + Number(d) * (10 - i), 0);
    const check = (11 - (sum % 11)) % 11;
    if (check !== 10) return digits + check;
  }
}

test('an independent client registers a patient, reads them back and finds them by NHS number', async () => {
  const nhsNumber = testNhsNumber();
  const created = valid(
    await client.createResource({
      resourceType: 'Patient',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhsNumber }],
      name: [{ family: 'Interop', given: ['Robin'] }],
      gender: 'other',
      birthDate: '1990-04-01',
    }),
  );
  assert.equal(statuses.at(-1), 201);
  assert.equal(created.meta.versionId, '1');

  const read = valid(await client.readResource('Patient', created.id));
  assert.deepEqual(read.name, [{ family: 'Interop', given: ['Robin'] }]);

  const found = await client.searchResources('Patient', {
    identifier: `https://fhir.nhs.uk/Id/nhs-number|${nhsNumber}`,
  });
  assert.deepEqual(
    found.map((p) => valid(p).id),
    [created.id],
  );

  // The NHS number is checked on write: one digit changed fails modulus 11.
  const wrong = nhsNumber.slice(0, 9) + ((Number(nhsNumber[9]) + 1) % 10);
  const { status, issue } = await refusal(
    client.createResource({
      resourceType: 'Patient',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: wrong }],
    }),
  );
  assert.ok([400, 422].includes(status), `status ${status}`);
  assert.match(JSON.stringify(issue.expression), /identifier/);
});

test('an independent client books a free slot, is refused a double booking and cancels', async () => {
  const patient = await client.createResource({ resourceType: 'Patient', name: [{ family: 'Booker' }] });
  const practitioner = await client.createResource({
    resourceType: 'Practitioner',
    name: [{ family: 'Interop', prefix: ['Dr'] }],
  });
  const schedule = await client.createResource({
    resourceType: 'Schedule',
    active: true,
    actor: [{ reference: `Practitioner/${practitioner.id}` }],
  });
  // A month ahead, on the minute: the slot every booking below is about.
  const start = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 30 * 24 * 3600_000);
  const end = new Date(start.getTime() + 10 * 60_000);
  const slot = await client.createResource({
    resourceType: 'Slot',
    schedule: { reference: `Schedule/${schedule.id}` },
    status: 'free',
    start: start.toISOString(),
    end: end.toISOString(),
  });

  // Found by the search a booking system makes: free slots of the schedule from that time.
  const free = await client.searchResources('Slot', {
    schedule: `Schedule/${schedule.id}`,
    status: 'free',
    start: `ge${start.toISOString()}`,
  });
  assert.deepEqual(
    free.map((s) => valid(s).id),
    [slot.id],
  );

  const appointment = (who) => ({
    resourceType: 'Appointment',
    status: 'booked',
    slot: [{ reference: `Slot/${slot.id}` }],
    start: start.toISOString(),
    end: end.toISOString(),
    participant: [
      { actor: { reference: `Patient/${who}` }, status: 'accepted' },
      { actor: { reference: `Practitioner/${practitioner.id}` }, status: 'accepted' },
    ],
  });
  const booked = valid(await client.createResource(appointment(patient.id)));
  assert.equal(statuses.at(-1), 201);
  assert.equal(valid(await client.readResource('Slot', slot.id)).status, 'busy');

  // Someone else tries the same slot: 409, and the code GP Connect uses for it.
  const other = await client.createResource({ resourceType: 'Patient', name: [{ family: 'Second' }] });
  const doubleBooking = await refusal(client.createResource(appointment(other.id)));
  assert.equal(doubleBooking.status, 409);
  assert.equal(doubleBooking.issue.details.coding[0].code, 'DUPLICATE_REJECTED');
  const theirs = await client.searchResources('Appointment', { patient: `Patient/${other.id}` });
  assert.equal(theirs.length, 0, 'the refused booking left nothing behind');

  // Cancelling names the version it changes; the slot is free again.
  const cancelled = valid(
    await client.updateResource(
      { ...booked, status: 'cancelled' },
      { headers: { 'If-Match': `W/"${booked.meta.versionId}"` } },
    ),
  );
  assert.equal(cancelled.status, 'cancelled');
  assert.equal(cancelled.meta.versionId, '2');
  assert.equal(valid(await client.readResource('Slot', slot.id)).status, 'free');

  // A change made from the version before the cancellation is refused, not applied.
  const stale = await refusal(
    client.updateResource(
      { ...booked, status: 'booked' },
      { headers: { 'If-Match': `W/"${booked.meta.versionId}"` } },
    ),
  );
  assert.equal(stale.status, 412);
  assert.equal(valid(await client.readResource('Appointment', booked.id)).status, 'cancelled');

  // The slot freed by the cancellation can be booked again, by the one refused before.
  valid(await client.createResource(appointment(other.id)));
  assert.equal(statuses.at(-1), 201);
});

test('without a token the client is refused with 401 and an OperationOutcome', async () => {
  // A 401 would make MedplumClient try to refresh and then sign in again; record it and stop.
  const anonymous = medplumClient({ onUnauthenticated: () => {} });
  await assert.rejects(anonymous.readResource('Patient', 'any'));
  assert.equal(statuses.at(-1), 401);
});
