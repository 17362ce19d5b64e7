import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '@switchyard/config';
import { CONFIG_DOC_PATH, renderConfigDoc } from './config-doc';

describe('docs/configuration.md', () => {
  it('is up to date with the options of @switchyard/config (run node scripts/gen-config-doc.mjs)', () => {
    const committed = readFileSync(resolve(import.meta.dirname, '../../..', CONFIG_DOC_PATH), 'utf8');
    expect(committed).toBe(renderConfigDoc());
  });

  it('names every environment variable', () => {
    const doc = renderConfigDoc();
    const missing = Object.values(OPTIONS).map((o) => o.env).filter((env) => !doc.includes(`\`${env}\``));
    expect(missing).toEqual([]);
  });
});
