/**
 * Test helper: an embedded Store (chDB) in a fresh temp folder with every migration applied, removed on close.
 * Each test file opens its own (chDB locks its folder: one process per folder).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '@switchyard/store';

/** A Store in a temp folder; `close()` also removes the folder. */
export interface TestStore {
  store: Store;
  dir: string;
  close(): Promise<void>;
}

/** Opens an embedded store on a new temp folder, migrated (retention 7 days). */
export async function openTestStore(): Promise<TestStore> {
  const dir = await mkdtemp(join(tmpdir(), 'sy-collectors-'));
  const store = await openStore({ dataDir: dir, database: 'switchyard', retentionDays: 7 });
  return {
    store,
    dir,
    close: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
