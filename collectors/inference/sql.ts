/** Reads one of this folder's `.sql` files (each names its parameters in its header comment). */
import { readFileSync } from 'node:fs';

export function loadSql(name: string): string {
  return readFileSync(new URL(`./${name}.sql`, import.meta.url), 'utf8');
}
