/** The dlq collector: dead letters from Kafka DLQ topics and BullMQ failed sets, searchable. See README.md. */
export { startDlqCollector, failedJobRow, type DlqCollector, type DlqCollectorOptions, type DlqSweepResult } from './collector';
export { searchDeadLetters, InvalidCursorError, type DeadLetter, type DeadLetterPage, type DeadLetterQuery } from './search';
