/**
 * Console bench: the JavaScript a browser must fetch before the first page renders, gzipped. Reads
 * apps/console/dist/index.html (build it first: `npm run build -w @switchyard/console`), takes the entry script
 * and every `modulepreload`, and gzips each with zlib (level 9, as a static server would serve it). Lazily loaded
 * page chunks (and recharts with them) are reported apart and do not count.
 */
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Options of {@link runConsoleBench}. */
export interface ConsoleBenchOptions {
  /** The build folder (default apps/console/dist). */
  distDir?: string;
  /** Budget for the initial JS, gzipped, in bytes (default 300 KB = 307200). */
  budgetBytes?: number;
}

/** What the bench measured. */
export interface ConsoleBenchResult {
  /** Entry script and modulepreloads, each with its raw and gzipped size in bytes. */
  initial: { file: string; bytes: number; gzipBytes: number }[];
  initialGzipBytes: number;
  /** Every other .js file in assets/ (loaded on demand), gzipped, summed. */
  lazyGzipBytes: number;
  /** The largest lazy chunk (usually recharts). */
  largestLazy: { file: string; gzipBytes: number } | null;
  budgetBytes: number;
  withinBudget: boolean;
}

/** Error for a missing or unreadable build. */
export class ConsoleBuildMissingError extends Error {
  readonly code = 'CONSOLE_BUILD_MISSING';
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConsoleBuildMissingError';
  }
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The script and modulepreload URLs of an index.html, in document order (relative to the page). */
export function initialScripts(html: string): string[] {
  const out: string[] = [];
  const tag = /<(script|link)\b[^>]*>/gi;
  for (const m of html.matchAll(tag)) {
    const t = m[0];
    const isEntry = /^<script/i.test(t) && /type=["']module["']/i.test(t);
    const isPreload = /^<link/i.test(t) && /rel=["']modulepreload["']/i.test(t);
    const url = /(?:src|href)=["']([^"']+)["']/i.exec(t)?.[1];
    if ((isEntry || isPreload) && url && !/^https?:/i.test(url)) out.push(url);
  }
  return out;
}

/** Measures the console's initial JavaScript. */
export async function runConsoleBench(opts: ConsoleBenchOptions = {}): Promise<ConsoleBenchResult> {
  const dist = opts.distDir ?? join(ROOT, 'apps', 'console', 'dist');
  const budgetBytes = opts.budgetBytes ?? 300 * 1024;
  let html: string;
  try {
    html = await readFile(join(dist, 'index.html'), 'utf8');
  } catch (err) {
    throw new ConsoleBuildMissingError(`No console build at ${dist}: run \`npm run build -w @switchyard/console\` first.`, { cause: err });
  }
  const gz = (b: Buffer): number => gzipSync(b, { level: 9 }).length;
  const initial: ConsoleBenchResult['initial'] = [];
  for (const url of initialScripts(html)) {
    const file = url.replace(/^\.?\//, '').split(/[?#]/)[0]!;
    const buf = await readFile(join(dist, file));
    initial.push({ file, bytes: buf.length, gzipBytes: gz(buf) });
  }
  const seen = new Set(initial.map((i) => i.file));
  let lazyGzipBytes = 0;
  let largestLazy: ConsoleBenchResult['largestLazy'] = null;
  for (const name of await readdir(join(dist, 'assets')).catch(() => [] as string[])) {
    const file = `assets/${name}`;
    if (!name.endsWith('.js') || seen.has(file)) continue;
    const g = gz(await readFile(join(dist, file)));
    lazyGzipBytes += g;
    if (!largestLazy || g > largestLazy.gzipBytes) largestLazy = { file, gzipBytes: g };
  }
  const initialGzipBytes = initial.reduce((s, i) => s + i.gzipBytes, 0);
  return { initial, initialGzipBytes, lazyGzipBytes, largestLazy, budgetBytes, withinBudget: initialGzipBytes <= budgetBytes };
}
