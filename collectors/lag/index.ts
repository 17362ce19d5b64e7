/** The lag collector: consumer lag in messages and seconds, and a status per group. See README.md. */
export { startLagCollector, LagWriteError, type LagCollector, type LagCollectorOptions, type SweepResult, type GroupLag, type PartitionLag } from './collector';
export { evaluateGroupStatus, STATUSES, type GroupStatus, type GroupSample, type PartitionSample, type StatusOptions, type StatusResult } from './status';
export { stageLag, referenceGroups, type StageLag, type LagRow } from './stage-lag';
export { OffsetReader, groupsFromTopicNames, type Committed, type Watermarks } from './offsets';
export { MessageProber, ProbeJoinError, type ProbeTarget, type ProberOptions } from './probe';
