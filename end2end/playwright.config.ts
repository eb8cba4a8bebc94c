// Playwright drives Debian's Chromium (never a downloaded browser) against the real server binary
// built by `cargo xtask test` (xtask/src/site.rs), started on a fresh database seeded with demo data.
import { defineConfig } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// The config is evaluated in every worker too; the environment carries the one data dir to them.
// A dir made here is this run's alone, and global-teardown.ts removes it when the run ends.
if (!process.env.E2E_DATA_DIR) {
  process.env.E2E_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'health-e2e-'));
  process.env.E2E_REMOVE_DATA_DIR = 'true';
}
const dataDir = process.env.E2E_DATA_DIR;

// The identity provider the journeys sign in through (identity-provider/): NHS login-shaped for
// patients, CIS2-shaped for staff, on fixed loopback ports, with clients for this server. It
// writes the patient client's new private key where the server reads it, so it starts first.
const patientIssuerPort = port + 10;
const staffIssuerPort = port + 11;
const patientKeyFile = path.join(dataDir, 'patient-client-key.pem');
const providerConfigFile = path.join(dataDir, 'identity-provider.json');
fs.writeFileSync(
  providerConfigFile,
  JSON.stringify({
    providers: [
      {
        name: 'patient',
        port: patientIssuerPort,
        clients: [{
          client_id: 'health-patient',
          redirect_uris: [`${baseURL}/auth/callback/patient`],
          private_key_file: patientKeyFile,
        }],
      },
      {
        name: 'staff',
        port: staffIssuerPort,
        clients: [{
          client_id: 'health-staff',
          client_secret: 'staff-client-secret-for-tests-only',
          redirect_uris: [`${baseURL}/auth/callback/staff`],
        }],
      },
    ],
  }),
);

const chromium = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};
const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const laptop = { viewport: { width: 1366, height: 768 } };

// The server: one process, or with E2E_PROCESSES=n (the PostgreSQL run) n processes on the one
// database behind HAProxy from Debian, as a practice that outgrows one process runs them. The
// balancer takes the base URL's port, the processes the ports after it, and it sends each request
// to the next process in turn: no sticky sessions, so every journey crosses processes.
const processes = Number(process.env.E2E_PROCESSES ?? 1);
if (processes > 1 && !process.env.E2E_DATABASE_URL) {
  throw new Error('E2E_PROCESSES needs E2E_DATABASE_URL: several processes share one PostgreSQL database');
}
const serverEnv = (bindPort: number) => ({
  HEALTH_BIND_ADDR: `127.0.0.1:${bindPort}`,
  HEALTH_DATA_DIR: process.env.E2E_DATA_DIR!,
  HEALTH_DEMO_MODE: 'true',
  HEALTH_LOG: 'warn',
  HEALTH_PUBLIC_URL: baseURL,
  HEALTH_PATIENT_OIDC_ISSUER: `http://127.0.0.1:${patientIssuerPort}`,
  HEALTH_PATIENT_OIDC_CLIENT_ID: 'health-patient',
  HEALTH_PATIENT_OIDC_PRIVATE_KEY_FILE: patientKeyFile,
  HEALTH_STAFF_OIDC_ISSUER: `http://127.0.0.1:${staffIssuerPort}`,
  HEALTH_STAFF_OIDC_CLIENT_ID: 'health-staff',
  HEALTH_STAFF_OIDC_CLIENT_SECRET: 'staff-client-secret-for-tests-only',
  // Set by `cargo xtask test` for the PostgreSQL run; unset, the server uses SQLite in the data dir.
  ...(process.env.E2E_DATABASE_URL ? { DATABASE_URL: process.env.E2E_DATABASE_URL } : {}),
  ...(processes > 1 ? { HEALTH_BEHIND_PROXY: 'true' } : {}),
});
const serverProcess = (bindPort: number) => ({
  command: process.env.E2E_SERVER_BIN ?? 'target/debug/server',
  cwd: '..',
  url: `http://127.0.0.1:${bindPort}/readyz`,
  reuseExistingServer: false,
  timeout: 60_000,
  stdout: 'pipe' as const,
  env: serverEnv(bindPort),
});
const balancerConfigFile = path.join(dataDir, 'haproxy.cfg');
const servers = processes === 1
  ? [serverProcess(port)]
  : [
    ...Array.from({ length: processes }, (_, n) => serverProcess(port + 1 + n)),
    {
      command: `/usr/sbin/haproxy -db -f ${writeBalancerConfig()}`,
      url: `${baseURL}/readyz`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
  ];

// HAProxy's configuration for the run: round robin over the processes, each checked by its
// /readyz, loopback only; the client's address passed on in X-Forwarded-For.
function writeBalancerConfig(): string {
  const backends = Array.from({ length: processes }, (_, n) =>
    `  server health${n + 1} 127.0.0.1:${port + 1 + n} check inter 500ms fall 2 rise 1`);
  fs.writeFileSync(balancerConfigFile, [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  option forwardfor',
    '  option redispatch',
    '  retries 2',
    '  timeout connect 2s',
    '  timeout client 120s',
    '  timeout server 120s',
    // A process busy with a burst answers its check late; it is down when it refuses.
    '  timeout check 2s',
    'frontend web',
    `  bind 127.0.0.1:${port}`,
    '  default_backend health',
    'backend health',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    ...backends,
    '',
  ].join('\n'));
  return balancerConfigFile;
}

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  forbidOnly: true,
  globalTeardown: './global-teardown.ts',
  retries: 0,
  workers: 2,
  reporter: [['list']],
  use: { baseURL, launchOptions: chromium, trace: 'retain-on-failure' },
  projects: [
    { name: 'phone-js', use: { ...phone, javaScriptEnabled: true } },
    { name: 'phone-no-js', use: { ...phone, javaScriptEnabled: false } },
    { name: 'laptop-js', use: { ...laptop, javaScriptEnabled: true } },
    { name: 'laptop-no-js', use: { ...laptop, javaScriptEnabled: false } },
  ],
  webServer: [{
    // Node 22 from interop/ (oidc-provider wants it; the machine's Node is 20).
    command: `../interop/node_modules/.bin/node identity-provider/identity-provider.mjs ${providerConfigFile}`,
    url: `http://127.0.0.1:${staffIssuerPort}/.well-known/openid-configuration`,
    reuseExistingServer: false,
    timeout: 30_000,
  }, ...servers],
});
