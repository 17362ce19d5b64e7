/** The tap collector: every Kafka message into `events`; retention losses into `tap_losses`. */
export { startTap, tapGroupId, TAP_WRITER_DEFAULTS, tapRowSize, type Tap, type TapOptions, type TapStats } from './tap';
export { detectLosses, recordLosses, type Loss } from './losses';
export { toEventRow, parseTraceparent, TAP_ENCODING_HEADER, type EventRow } from './row';
