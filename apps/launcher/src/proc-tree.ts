/**
 * Process-tree helpers over /proc (Linux), used by the launcher's tests and by anything that must prove it left
 * no process behind.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One process: pid, parent pid, state letter and command name. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
  comm: string;
}

function readStat(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const [state = '?', ppid = '0'] = stat.slice(close + 2).split(' ');
    return { pid, ppid: Number(ppid), state, comm };
  } catch {
    return null;
  }
}

/** Every process visible in /proc. */
export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readStat(Number(name));
    if (info) out.push(info);
  }
  return out;
}

/** All descendants of `pid` (children, grandchildren, ...), from one snapshot of /proc. */
export function descendants(pid: number): ProcInfo[] {
  const all = listProcesses();
  const found: ProcInfo[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = all.filter((p) => frontier.includes(p.ppid));
    found.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return found;
}

/**
 * True while `pid` runs: `process.kill(pid, 0)` succeeds and it is not a zombie (an exited process whose parent
 * has not reaped it yet runs no code and holds no port).
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
  const info = readStat(pid);
  return info !== null && info.state !== 'Z';
}

/** True while the process seen in `p` still runs (alive, and its pid not reused by another command). */
export function stillRunning(p: ProcInfo): boolean {
  return isAlive(p.pid) && readStat(p.pid)?.comm === p.comm;
}
