// Removes the data dir playwright.config.ts made for this run (the SQLite file, the identity
// provider's config, the patient client's key), so that runs leave nothing behind in /tmp.
import fs from 'node:fs';

export default function globalTeardown() {
  const dir = process.env.E2E_DATA_DIR;
  if (dir && process.env.E2E_REMOVE_DATA_DIR === 'true') {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
