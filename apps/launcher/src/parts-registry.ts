/**
 * The parts that `npm start` runs, in start order (they stop in reverse): the collectors first (so the trace
 * exporter is in place before any span), then the pipeline, then the API and console. Which of them run in this
 * process follows the configuration, so one entry point serves the embedded default and each part as its own
 * process: SWITCHYARD_COLLECTORS (`none` for no collector), SWITCHYARD_PIPELINE, SWITCHYARD_API.
 */
import type { Config } from '@switchyard/config';
import type { PartFactory } from './parts';

/** The launcher's parts for a configuration, in start order. */
export function partsFor(config: Config, print?: (line: string) => void): PartFactory[] {
  const collectorsOn = !(config.collectors.length === 1 && config.collectors[0] === 'none');
  let health: (() => { collector: string; up: boolean; errors: number }[]) | undefined;
  const parts: PartFactory[] = [];
  if (collectorsOn) {
    parts.push(async () => {
      const part = (await import('../../../collectors/part')).collectorsPart();
      health = () => part.collectorHealth();
      return part;
    });
  }
  if (config.pipeline) parts.push(async () => (await import('../../../pipeline/src/part')).pipelinePart());
  if (config.serveApi) parts.push(async () => (await import('../../api/src/part')).apiPart({ collectorHealth: () => health?.() ?? [], print }));
  return parts;
}
