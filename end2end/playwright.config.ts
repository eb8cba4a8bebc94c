// Playwright drives Debian's Chromium (never a downloaded browser) against the real server binary
// built by `cargo leptos build`, started on a fresh database seeded with demo data.
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
  }, {
    command: process.env.E2E_SERVER_BIN ?? 'target/debug/server',
    cwd: '..',
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    env: {
      HEALTH_BIND_ADDR: `127.0.0.1:${port}`,
      HEALTH_DATA_DIR: process.env.E2E_DATA_DIR,
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
    },
  }],
});
