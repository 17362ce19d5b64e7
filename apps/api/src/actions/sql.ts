/** The SQL of the action engines, one file per statement beside this one (each with a header naming its parameters). */
import { readFileSync } from 'node:fs';

const cache = new Map<string, string>();

/** The text of `actions/<name>.sql`. */
export function actionSql(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./${name}.sql`, import.meta.url), 'utf8');
    cache.set(name, text);
  }
  return text;
}
