import { describe, it } from 'vitest';
import { storeConformance } from './conformance';
import { openStore } from './index';
import { createServerStore } from './server';

const url = process.env.CLICKHOUSE_URL;

if (url) {
  storeConformance(`server (${new URL(url).host})`, {
    open: (database, retentionDays) => openStore({ clickhouseUrl: url, dataDir: '', database, retentionDays }),
    raw: (database) => createServerStore({ url, database }),
  });
} else {
  describe('Store conformance: server', () => {
    it.skip('skipped: set CLICKHOUSE_URL (e.g. http://default:@127.0.0.1:8123) to run the conformance suite against a ClickHouse server', () => {});
  });
}
