/**
 * The live feed: one EventSource on GET /api/v1/stream (the session cookie rides along), kept in a small external
 * store that components read with {@link useLive}. `metrics` (or `snapshot`) events fill the buffer the charts
 * draw; `progress` events drive the progress bars of replays and redrives. It reconnects with backoff.
 */
import { useSyncExternalStore } from 'react';
import { appendSnapshot, applyProgress, parseProgress, parseSnapshot, type LiveSnapshot, type Progress } from '../shape/live';

/** What the live store holds. */
export interface LiveState {
  status: 'connecting' | 'open' | 'closed';
  snapshots: LiveSnapshot[];
  progress: Record<string, Progress>;
  lastEventMs: number | null;
}

let state: LiveState = { status: 'closed', snapshots: [], progress: {}, lastEventMs: null };
const listeners = new Set<() => void>();
let source: EventSource | null = null;
let retryTimer: number | undefined;
let retries = 0;

function set(next: Partial<LiveState>): void {
  state = { ...state, ...next };
  for (const l of listeners) l();
}

function onSnapshot(e: MessageEvent<string>): void {
  const now = Date.now();
  const snap = parseSnapshot(e.data, now);
  if (snap) set({ snapshots: appendSnapshot(state.snapshots, snap, now), lastEventMs: now });
}

function onProgress(e: MessageEvent<string>): void {
  const p = parseProgress(e.data);
  if (p) set({ progress: applyProgress(state.progress, p), lastEventMs: Date.now() });
}

/** Opens the feed (idempotent). */
export function startLive(): void {
  if (source) return;
  window.clearTimeout(retryTimer);
  set({ status: 'connecting' });
  const es = new EventSource('/api/v1/stream', { withCredentials: true });
  source = es;
  es.addEventListener('open', () => {
    retries = 0;
    set({ status: 'open' });
  });
  es.addEventListener('metrics', onSnapshot as EventListener);
  es.addEventListener('snapshot', onSnapshot as EventListener);
  es.addEventListener('progress', onProgress as EventListener);
  es.addEventListener('error', () => {
    // The browser retries on its own while the stream is CONNECTING; a CLOSED stream (e.g. a 401) needs us.
    if (es.readyState === EventSource.CLOSED) {
      stopLive();
      retries += 1;
      retryTimer = window.setTimeout(startLive, Math.min(30_000, 1000 * 2 ** Math.min(retries, 5)));
    } else set({ status: 'connecting' });
  });
}

/** Closes the feed (on sign-out). */
export function stopLive(): void {
  window.clearTimeout(retryTimer);
  source?.close();
  source = null;
  set({ status: 'closed' });
}

/** Records progress learned by polling (the feed may be reconnecting). */
export function noteProgress(p: Progress): void {
  set({ progress: applyProgress(state.progress, p) });
}

const subscribe = (cb: () => void): (() => void) => {
  listeners.add(cb);
  return () => listeners.delete(cb);
};

/** The live state; re-renders on every event. */
export function useLive(): LiveState {
  return useSyncExternalStore(subscribe, () => state);
}
