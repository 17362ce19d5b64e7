/**
 * Synthetic history for bench/src/queries.ts, generated inside ClickHouse (INSERT ... SELECT FROM numbers()), so
 * 10M rows take seconds and never cross into JS.
 *
 * Shape: `orders` orders spread evenly over the 24 h before `endMs`; each order has 50 events on the pipeline's
 * topics over ~5 minutes, in stage order: OrderCreated, InventoryReserved, FraudScored, PaymentAuthorized,
 * EtaPredicted, OrderReady, DriverAssigned, 38 DriverLocationUpdated (the courier's pings), 2 DeliveryEtaUpdated,
 * DriverArrived, OrderDelivered, CustomerNotified. 2% of the rows are copies on a group's `.retry` topic, 0.1% on
 * its `.dlq` topic, 0.2% carry a replay id. Event ids are derived from the row number, so spans can point at them.
 * `spans` gets one consumer span per non-ping event (12 per order, one trace per order); `dead_letters` gets
 * `deadLetters` entries over the same day with five error families.
 */
import type { Store } from '@switchyard/store';

const TYPES = ['OrderCreated', 'InventoryReserved', 'FraudScored', 'PaymentAuthorized', 'EtaPredicted', 'OrderReady', 'DriverAssigned', 'DriverLocationUpdated', 'DeliveryEtaUpdated', 'DriverArrived', 'OrderDelivered', 'CustomerNotified'];
const TOPICS = ['orders', 'inventory', 'payments', 'payments', 'eta', 'kitchen', 'dispatch', 'delivery', 'delivery', 'delivery', 'delivery', 'notifications'];
const SOURCES = ['intake', 'inventory-svc', 'payment-svc', 'payment-svc', 'eta-svc', 'kitchen-svc', 'dispatch-svc', 'tracking-svc', 'tracking-svc', 'tracking-svc', 'tracking-svc', 'notifier-svc'];
/** The group that consumes each stage's topic: its retry and dead-letter topics are `<group>.retry` / `.dlq`. */
const GROUPS = ['inventory-svc', 'payment-svc', 'eta-svc', 'eta-svc', 'kitchen-svc', 'dispatch-svc', 'tracking-svc', 'notifier-svc', 'notifier-svc', 'notifier-svc', 'notifier-svc', 'loyalty-svc'];

const arr = (xs: string[]): string => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

/** Events per order (the stage sequence above). */
export const EVENTS_PER_ORDER = 50;

/**
 * One row per event number `i`: the order `o`, position `k` in the order, stage `s` (1-based into the arrays), a
 * hash `h`, and the produce time in ms. Shared by the events and spans generators so both agree on ids and times.
 */
const base = (rows: string): string => `
  SELECT i, o, k, s, h, oid, eid, tid, ms
  FROM
  (
    SELECT number AS i, intDiv(number, ${EVENTS_PER_ORDER}) AS o, number % ${EVENTS_PER_ORDER} AS k,
           multiIf(k < 7, k + 1, k < 45, 8, k < 47, 9, k = 47, 10, k = 48, 11, 12) AS s,
           cityHash64(number) AS h,
           concat('ord-', toString(o)) AS oid,
           lower(hex(cityHash64(number, 'e'))) AS eid,
           lower(concat(hex(cityHash64(o, 't1')), hex(cityHash64(o, 't2')))) AS tid,
           toInt64({start:Int64} + o * {per_order_ms:Float64} + k * 6000 + h % 1000) AS ms
    FROM numbers(${rows})
  )`;

/** Fills `events`, `spans` and `dead_letters` (migrated, empty). `endMs` is the newest produce time (about now). */
export async function generateHistory(store: Store, opts: { events: number; deadLetters: number; endMs: number }): Promise<{ orders: number }> {
  const orders = Math.floor(opts.events / EVENTS_PER_ORDER);
  const day = 86_400_000;
  const span = EVENTS_PER_ORDER * 6000 + 1000; // one order's events
  const params = { start: opts.endMs - day, per_order_ms: (day - span) / orders };
  await store.command(
    `INSERT INTO events (topic, partition, offset, key, event_id, type, version, order_id, trace_id, span_id, causation_id,
                         correlation_id, source, bytes, produced_at, tapped_at, headers, payload, is_retry, is_dlq, replay_id, redrive_id)
     WITH ${arr(TYPES)} AS types, ${arr(TOPICS)} AS topics, ${arr(SOURCES)} AS sources, ${arr(GROUPS)} AS groups
     SELECT multiIf(retry, concat(groups[s], '.retry'), dlq, concat(groups[s], '.dlq'), topics[s]) AS topic,
            cityHash64(oid) % 4, i, oid, eid, types[s], 1, oid, tid, lower(hex(h)),
            if(k = 0, '', lower(hex(cityHash64(i - 1, 'e')))), lower(hex(cityHash64(o * ${EVENTS_PER_ORDER}, 'e'))), sources[s],
            length(payload) + 140, fromUnixTimestamp64Milli(ms, 'UTC'), fromUnixTimestamp64Milli(ms + 40 + h % 200, 'UTC'),
            map('sy-event-type', types[s], 'sy-order-id', oid, 'sy-source', sources[s]),
            concat('{"id":"', eid, '","type":"', types[s], '","version":1,"orderId":"', oid, '","source":"', sources[s],
                   '","data":{', if(s = 11, concat('"actualMinutes":', toString(12 + h % 45)),
                                    concat('"lat":', toString(52 + (h % 10000) / 100000), ',"lng":', toString(13 + (h % 7919) / 100000))), '}}') AS payload,
            h % 100 < 2 AS retry, h % 1000 = 999 AS dlq, if(h % 500 = 3, concat('rp-', toString(h % 7)), ''), ''
     FROM (${base(String(opts.events))})`,
    params,
  );
  await store.command(
    `INSERT INTO spans (trace_id, span_id, parent_span_id, name, service, kind, start, end, duration_ms, status_code, status_message,
                        attributes, links, order_id, event_id, causation_id, system, destination, received_at)
     WITH ${arr(TOPICS)} AS topics, ${arr(GROUPS)} AS groups
     SELECT tid, lower(hex(cityHash64(i, 's'))), '', concat(topics[s], ' process'), groups[s], 'consumer',
            fromUnixTimestamp64Micro((ms + 5) * 1000, 'UTC'), fromUnixTimestamp64Micro((ms + 5) * 1000 + d, 'UTC'), d / 1000,
            if(h % 100 < 2, 'ERROR', 'OK'), '', map('messaging.destination', topics[s]), [], oid, eid,
            if(k = 0, '', lower(hex(cityHash64(i - 1, 'e')))), 'kafka', topics[s], now64(3)
     FROM (SELECT *, toInt64(2000 + h % 80000) AS d FROM (${base(String(opts.events))}) WHERE k < 7 OR k >= 45)`,
    params,
  );
  await store.command(
    `INSERT INTO dead_letters (id, source, topic, partition, offset, key, order_id, event_type, error_class, error_message, origin_topic,
                               origin_partition, origin_offset, group, attempts, first_failed_at, failed_at, payload, headers,
                               redrive_state, tapped_at, version)
     WITH ${arr(TYPES)} AS types, ${arr(TOPICS)} AS topics, ${arr(GROUPS)} AS groups,
          ['TimeoutError', 'ValidationError', 'PaymentGatewayError', 'ConnectionError', 'FraudCheckError'] AS classes,
          ['handler timed out after 30000 ms', 'field data.address.postcode is invalid', 'gateway answered 502 Bad Gateway',
           'read ECONNRESET from redis 10.0.3.7:6379', 'fraud model unavailable: circuit open'] AS texts
     SELECT toString(generateUUIDv4(number)), 'kafka', concat(groups[st], '.dlq'), h % 4, number, oid, oid, types[st],
            classes[c], concat(texts[c], ' (order ', oid, ', attempt ', toString(1 + h % 5), ')'), topics[st], h % 4, h % 1000000,
            groups[st], 1 + h % 5, fromUnixTimestamp64Milli(t - 60000, 'UTC'), fromUnixTimestamp64Milli(t, 'UTC'),
            concat('{"orderId":"', oid, '","type":"', types[st], '"}'), map('sy-error-class', classes[c]),
            if(h % 10 = 0, 'redriven', 'none'), fromUnixTimestamp64Milli(t + 100, 'UTC'), 0
     FROM
     (
       SELECT number, cityHash64(number, 'dl') AS h, 1 + h % 12 AS st, 1 + intDiv(h, 12) % 5 AS c,
              concat('ord-', toString(h % ${orders})) AS oid, toInt64({start:Int64} + (h % ${86_400_000})) AS t
       FROM numbers(${opts.deadLetters})
     )`,
    params,
  );
  return { orders };
}
