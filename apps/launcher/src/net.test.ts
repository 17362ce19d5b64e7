import { describe, expect, it } from 'vitest';
import { freePort, parseHostPort, redactUrl, redisPing, tcpProbe } from './net';
import { startMockCluster } from './kafka-mock';
import { descendants, isAlive } from './proc-tree';
import { startRedisServer } from './redis-server';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('probes', () => {
  it('PING a live Redis and report a dead port with its reason', async () => {
    expect(await redisPing(REDIS, 2000)).toEqual({ ok: true });
    const dead = await freePort();
    const r = await redisPing(`redis://127.0.0.1:${dead}`, 2000);
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('ECONNREFUSED');
    expect((await tcpProbe('127.0.0.1', dead, 2000)).ok).toBe(false);
  });

  it('report a wrong password as down, with what Redis said', async () => {
    const r = await redisPing(REDIS.replace('redis://', 'redis://:wrong-password@'), 2000);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/AUTH|WRONGPASS|password/i);
  });

  it('parse host:port and redact passwords', () => {
    expect(parseHostPort('10.0.0.1', 6379)).toEqual({ host: '10.0.0.1', port: 6379 });
    expect(parseHostPort('[::1]:7000', 6379)).toEqual({ host: '::1', port: 7000 });
    expect(redactUrl('redis://user:s3cret@h:6379')).toBe('redis://user:***@h:6379');
  });
});

describe('startRedisServer', () => {
  it('starts a private redis-server that answers PING, and stop() leaves no process behind', async () => {
    const server = await startRedisServer();
    expect(server.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(await redisPing(server.url, 2000)).toEqual({ ok: true });
    const procs = [{ pid: server.pid }, ...descendants(server.pid)];
    expect(descendants(server.pid).some((p) => p.comm === 'redis-server')).toBe(true);
    await server.stop();
    expect(procs.filter((p) => isAlive(p.pid))).toEqual([]);
    expect((await redisPing(server.url, 500)).ok).toBe(false);
  });

  it('names the package to install when the binary is missing', async () => {
    await expect(startRedisServer({ bin: 'redis-server-that-does-not-exist' })).rejects.toThrow(/apt-get install -y redis-server/);
  });
});

describe('startMockCluster', () => {
  it('names the package to install when kcat is missing', async () => {
    await expect(startMockCluster({ kcat: 'kcat-that-does-not-exist' })).rejects.toThrow(/apt-get install -y kcat/);
  });
});
