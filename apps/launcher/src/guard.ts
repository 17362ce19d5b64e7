/**
 * Runs a child program under a small bash guard so that it never outlives this process.
 *
 * The guard holds a pipe from this process on its stdin: when this process dies in any way (SIGKILL included), the
 * pipe closes, the guard's `read` sees end of file, and the guard kills the program. A SIGTERM to the guard, or the
 * program exiting by itself, ends the guard too (within half a second), and nothing of it stays behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

// Only bash builtins (no cat, no sleep), so it works on any PATH. `read -t` returns 1 at end of file (the lifeline
// closed) and >128 on timeout, when the loop checks that the program still runs. A trapped signal interrupts read.
const GUARD = `
"$@" & k=$!
trap 'kill $k 2>/dev/null; wait $k 2>/dev/null' EXIT INT TERM
while kill -0 $k 2>/dev/null; do
  IFS= read -r -t 0.5 _; [ $? -eq 1 ] && break
done
`;

/** A guarded child: the bash guard's process, whose child is the program. */
export interface Guarded {
  /** The guard process (stdin is the lifeline, stderr the program's stderr). */
  readonly child: ChildProcess;
  /** Resolves once the guard has exited and its stderr is drained, which happens only after the program has exited. */
  readonly exited: Promise<void>;
  /** Ends the lifeline and sends SIGTERM to the guard; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `command args...` under the guard. `stdout` is discarded; `stderr` is piped so callers can read it.
 * Throws only when bash itself cannot be spawned; a missing program shows up as exit code 127.
 */
export function spawnGuarded(command: string, args: readonly string[], name: string, env: NodeJS.ProcessEnv = process.env): Guarded {
  // Detached: its own process group, so a Ctrl-C at the terminal reaches only the launcher, which stops its parts
  // while Kafka and Redis are still up, and stops the guarded programs last.
  const child = spawn('bash', ['-c', GUARD, name, command, ...args], { stdio: ['pipe', 'ignore', 'pipe'], env, detached: true });
  let gone = child.exitCode !== null || child.signalCode !== null;
  const exited = new Promise<void>((resolve) => {
    if (gone) resolve();
    // 'close', not 'exit': by then stderr has been read to its end, so exit reasons are complete.
    child.once('close', () => {
      gone = true;
      resolve();
    });
    child.once('error', () => {
      gone = true;
      resolve();
    });
  });
  // Writes on a closed lifeline are not an error worth crashing for.
  child.stdin?.on('error', () => undefined);
  return {
    child,
    exited,
    stop: async () => {
      child.stdin?.end();
      if (!gone) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** True when `command` is an executable on `path` (default this process's PATH), or an executable path itself. */
export async function onPath(command: string, path = process.env.PATH ?? ''): Promise<boolean> {
  const candidates = command.includes('/') ? [command] : path.split(delimiter).filter(Boolean).map((d) => join(d, command));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}
