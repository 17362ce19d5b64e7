/**
 * Query parameters as they arrive over HTTP (`param_<name>=<value>`), turned into what chDB's `queryBindAsync`
 * expects.
 *
 * A ClickHouse client sends each value already in the text form the server parses: a top-level string in the
 * Escaped (TSV) form (`\t`, `\n`, `\\`, `\'`), a composite (Array, Map, Tuple) as a literal with quoted
 * elements (`['a','it\'s']`). chDB escapes every JS string it binds once more (tsvEscape), so passing the text
 * through would double every backslash. We therefore undo exactly the escapes chDB re-applies, and rewrite the
 * one escape it cannot reproduce (`\'` inside a quoted element) in SQL style (`''`), which ClickHouse reads as the
 * same quote. `\N` alone is NULL.
 */

/** Placeholder types by name, read from `{name:Type}` in the SQL text. */
export function placeholderTypes(sql: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of sql.matchAll(/\{(\w+)\s*:\s*([^{}]+)\}/g)) {
    if (m[1] && m[2]) types.set(m[1], m[2].trim());
  }
  return types;
}

/** True when the type's text form is a literal with quoted elements (Array, Map, Tuple, maybe wrapped). */
export function isComposite(type: string | undefined): boolean {
  if (!type) return false;
  const inner = type.replace(/^(Nullable|LowCardinality)\((.*)\)$/s, '$2').trim();
  return /^(Array|Map|Tuple|Nested)\s*\(/.test(inner);
}

const SIMPLE: Record<string, string> = { '\\': '\\', n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f' };

/**
 * Decodes one HTTP parameter value for chDB. `\N` becomes `null` (bound as NULL); everything else becomes the
 * string that chDB's own escaping turns back into `raw`'s meaning.
 */
export function decodeHttpParam(raw: string, type: string | undefined): string | null {
  if (raw === '\\N') return null;
  if (!raw.includes('\\')) return raw;
  const composite = isComposite(type);
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch !== '\\' || i === raw.length - 1) {
      out += ch;
      continue;
    }
    const next = raw[++i] as string;
    const simple = SIMPLE[next];
    if (simple !== undefined) out += simple;
    else if (next === "'") out += composite ? "''" : "'";
    else out += next;
  }
  return out;
}

/** Decodes every parameter of a request against the placeholders of its SQL. */
export function decodeHttpParams(sql: string, raw: ReadonlyMap<string, string>): Record<string, string | null> {
  const types = placeholderTypes(sql);
  const out: Record<string, string | null> = {};
  for (const [name, value] of raw) out[name] = decodeHttpParam(value, types.get(name));
  return out;
}
