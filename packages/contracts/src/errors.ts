/**
 * ContractError: why a message is not a valid event, in words a person can act on. Each issue names the field
 * path, what was expected and what was there, e.g.
 * `OrderCreated v2: data.shipTo[0].address.zipCode: expected string, got number (12345)`.
 */
import type { z } from 'zod';

/** Stable codes of ContractError; branch on these, never on the message. */
export type ContractErrorCode =
  | 'CONTRACT_INVALID_JSON'
  | 'CONTRACT_INVALID_ENVELOPE'
  | 'CONTRACT_UNKNOWN_TYPE'
  | 'CONTRACT_UNKNOWN_VERSION'
  | 'CONTRACT_INVALID_PAYLOAD';

/** One thing wrong with a message. `path` is empty for the message as a whole. */
export interface ContractIssue {
  path: string;
  expected: string;
  got: string;
  message: string;
}

/** Most issues spelled out in the error message; all of them are in `issues`. */
const MESSAGE_ISSUES = 3;

/** A message that breaks the contract. Never retriable: the same bytes fail the same way. */
export class ContractError extends Error {
  readonly retriable = false;

  /**
   * @param code what kind of failure
   * @param context what was being read, e.g. `OrderCreated v2`; prefixes the message
   * @param issues every problem found (default none)
   */
  constructor(
    readonly code: ContractErrorCode,
    context: string,
    readonly issues: ContractIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(formatMessage(context, issues), options);
    this.name = 'ContractError';
  }
}

function formatMessage(context: string, issues: ContractIssue[]): string {
  if (issues.length === 0) return context;
  const shown = issues.slice(0, MESSAGE_ISSUES).map((i) => `${i.path ? `${i.path}: ` : ''}expected ${i.expected}, got ${i.got}`);
  const more = issues.length > MESSAGE_ISSUES ? ` (and ${issues.length - MESSAGE_ISSUES} more)` : '';
  return `${context}: ${shown.join('; ')}${more}`;
}

/** `['shipTo', 0, 'zipCode']` with prefix `data` → `data.shipTo[0].zipCode`. */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

const SHOWN_CHARS = 40;

/** What a value is, for a person: `number (12345)`, `string ("abc")`, `nothing (field missing)`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing (field missing)';
  if (v === null) return 'null';
  if (typeof v === 'string') {
    if (v.length <= SHOWN_CHARS) return `string (${JSON.stringify(v)})`;
    return `string of ${v.length} characters (${JSON.stringify(v.slice(0, SHOWN_CHARS))}…)`;
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} (${String(v)})`;
  if (Array.isArray(v)) return `array of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (typeof v === 'object') {
    const keys = Object.keys(v);
    const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
    return keys.length ? `object with keys ${shown}` : 'empty object';
  }
  return typeof v;
}

const FORMATS: Readonly<Record<string, string>> = {
  email: 'an email address',
  datetime: 'an ISO-8601 date-time with offset, e.g. 2025-01-31T18:04:05Z',
  uuid: 'a UUID',
  date: 'an ISO-8601 date, e.g. 2025-01-31',
};

function bound(origin: string, op: string, limit: number | bigint): string {
  if (origin === 'string') return `string of ${op} ${limit} character${limit === 1 ? '' : 's'}`;
  if (origin === 'array' || origin === 'set') return `${op} ${limit} item${limit === 1 ? '' : 's'}`;
  return `${origin} ${op === 'at least' ? '>=' : op === 'at most' ? '<=' : op} ${limit}`;
}

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int' ? 'integer' : issue.expected;
    case 'too_small':
      return bound(issue.origin, issue.inclusive === false ? 'more than' : 'at least', issue.minimum);
    case 'too_big':
      return bound(issue.origin, issue.inclusive === false ? 'less than' : 'at most', issue.maximum);
    case 'invalid_value':
      return issue.values.length === 1
        ? JSON.stringify(issue.values[0])
        : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      if (issue.message.startsWith('expected ')) return issue.message.slice('expected '.length);
      return FORMATS[issue.format] ?? (issue.pattern ? `a string matching ${issue.pattern}` : `${issue.format} format`);
    case 'not_multiple_of':
      return `a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return 'no other keys';
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (options) return `one of ${options.map((o) => JSON.stringify(o)).join(', ')}`;
      const alts = issue.errors.flatMap((errs) => errs.filter((e) => e.path.length === 0).map(expectedOf));
      return alts.length ? [...new Set(alts)].join(' or ') : 'one of the allowed shapes';
    }
    case 'custom': {
      const expected = (issue.params as { expected?: unknown } | undefined)?.expected;
      return typeof expected === 'string' ? expected : issue.message;
    }
    default:
      return issue.message;
  }
}

/**
 * Turns zod issues into ContractIssues. `input` is the value that was parsed (the actual value at each path
 * comes from it); `prefix` is put before each path (e.g. `data`).
 */
export function toIssues(issues: readonly z.core.$ZodIssue[], input: unknown, prefix: string): ContractIssue[] {
  return issues.map((issue) => {
    const got =
      issue.code === 'unrecognized_keys'
        ? `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
        : describeValue(valueAt(input, issue.path));
    return { path: formatPath(prefix, issue.path), expected: expectedOf(issue), got, message: issue.message };
  });
}
