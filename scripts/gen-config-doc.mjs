#!/usr/bin/env node
// Writes docs/configuration.md from the option table in packages/config (see apps/launcher/src/config-doc.ts).
// Plain ESM so that it needs no TypeScript project of its own; tsx loads the TypeScript it calls.
// Usage: node scripts/gen-config-doc.mjs [--check]   (--check exits 1 when the file is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { renderConfigDoc, CONFIG_DOC_PATH } = await tsImport('../apps/launcher/src/config-doc.ts', import.meta.url);
const path = join(root, CONFIG_DOC_PATH);
const want = renderConfigDoc();
let have = '';
try {
  have = readFileSync(path, 'utf8');
} catch {
  // not written yet
}
if (process.argv.includes('--check')) {
  process.stdout.write(have === want ? `${CONFIG_DOC_PATH} is up to date\n` : `${CONFIG_DOC_PATH} is stale: run node scripts/gen-config-doc.mjs\n`);
  process.exit(have === want ? 0 : 1);
}
if (have !== want) writeFileSync(path, want);
process.stdout.write(`${CONFIG_DOC_PATH} ${have === want ? 'unchanged' : 'written'}\n`);
