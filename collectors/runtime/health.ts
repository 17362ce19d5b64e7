/** Health of one collector, as the process running it reports it: for /healthz and the switchyard_collector_* metrics. */
export interface CollectorHealth {
  collector: string;
  up: boolean;
  /** Errors since the collector started (a counter). */
  errors: number;
  /** Why it is down, or what it is doing. */
  detail?: string;
}
