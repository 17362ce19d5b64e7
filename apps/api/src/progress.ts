/**
 * progressBus: the in-process channel on which action engines (replay, redrive, throttle) report progress; the
 * SSE stream forwards every event to connected consoles.
 */
import { EventEmitter } from 'node:events';

/** One progress report of a running action. */
export interface ProgressEvent {
  /** The action kind, e.g. `replay`, `redrive`, `throttle`. */
  kind: string;
  /** The action's id (its first audit row id). */
  id: string;
  state: 'accepted' | 'running' | 'done' | 'failed' | 'cancelled';
  matched: number;
  done: number;
  failed: number;
}

/** Typed wrapper over an EventEmitter carrying {@link ProgressEvent}s. */
export class ProgressBus {
  readonly #emitter = new EventEmitter();
  constructor() {
    // Each SSE client subscribes once; many consoles may be open.
    this.#emitter.setMaxListeners(0);
  }
  /** Publishes one progress event to every subscriber (synchronously). */
  publish(event: ProgressEvent): void {
    this.#emitter.emit('progress', event);
  }
  /** Subscribes; returns the function that unsubscribes. */
  subscribe(listener: (event: ProgressEvent) => void): () => void {
    this.#emitter.on('progress', listener);
    return () => this.#emitter.off('progress', listener);
  }
  /** Number of current subscribers (for tests and diagnostics). */
  listenerCount(): number {
    return this.#emitter.listenerCount('progress');
  }
}

/** The process-wide progress bus. */
export const progressBus = new ProgressBus();
