// Playwright drives Debian's Chromium (never a downloaded browser) against the real server binary
// built by `cargo leptos build`, started on a fresh database seeded with demo data.
import { defineConfig } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// The config is evaluated in every worker too; the environment carries the one data dir to them.
process.env.E2E_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'health-e2e-'));

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
  webServer: {
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
      // Set by `cargo xtask test` for the PostgreSQL run; unset, the server uses SQLite in the data dir.
      ...(process.env.E2E_DATABASE_URL ? { DATABASE_URL: process.env.E2E_DATABASE_URL } : {}),
    },
  },
});
