/** The queues collector: BullMQ depth by state and the job event stream. See README.md. */
export {
  startQueueCollector, discoverQueues, JOB_STATES, DEPTH_STATES, JOB_EVENTS,
  type QueueCollector, type QueueCollectorOptions, type QueueSweepResult, type JobEventRow,
} from './collector';
