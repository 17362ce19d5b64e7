import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { storeConformance } from './conformance';
import { createEmbeddedStore } from './embedded';
import { openStore } from './index';

// One chDB folder for the whole file: chDB allows one folder per process, tests differ by database.
const dataDir = mkdtempSync(join(tmpdir(), 'sy-store-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

storeConformance('embedded (chDB)', {
  open: (database, retentionDays) => openStore({ dataDir, database, retentionDays }),
  raw: (database) => createEmbeddedStore({ dataDir, database }),
});
