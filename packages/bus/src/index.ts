/**
 * @switchyard/bus: Kafka produce and consume for Switchyard services. See README.md for topics, headers,
 * semantics, the control channel and how the bus degrades on brokers that lack an API.
 */
export { createBus, keyPrefix } from './bus';
export type { BusOptions, KafkaBus } from './bus';
export type { GroupStats } from './consumer';
export { HEADERS, PermanentError, deadLetterTopic, retryTopic } from './types';
export type { Bus, ConsumeOptions, Consumer, ControlState, MessageContext } from './types';
export { NO_CONTROL, TokenBucket, controlChannel, controlKey, effectiveControl, listControls, parseControl, readControl, subscriberFor, watchControl, writeControl } from './control';
export type { ControlKind, ControlWatch, WatchOptions } from './control';
export { ensureTopics, kafkaLogCreator, reportBrokerGap, tryDescribeGroups, tryListGroups } from './admin';
export type { BrokerApi, EnsureTopicsResult } from './admin';
export { readHeaders } from './headers';
export { Idempotency } from './idempotency';
