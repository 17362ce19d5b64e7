import type { TopicMessages } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ProduceBatcher } from './batcher';

const msg = (value: string): { key: string; value: string } => ({ key: value, value });

describe('ProduceBatcher', () => {
  it('sends everything queued in one turn as one request, per topic in call order, and settles after the ack', async () => {
    const requests: TopicMessages[][] = [];
    let ack: () => void = () => undefined;
    const b = new ProduceBatcher((tm) => {
      requests.push(tm);
      return new Promise<void>((r) => (ack = r));
    });
    let settled = 0;
    const sends = [b.send('a', [msg('1')]), b.send('b', [msg('2')]), b.send('a', [msg('3'), msg('4')])].map((p) => p.then(() => settled++));
    await new Promise((r) => setImmediate(r));
    expect(requests).toHaveLength(1);
    expect(requests[0]!.map((t) => [t.topic, t.messages.map((m) => m.value)])).toEqual([
      ['a', ['1', '3', '4']],
      ['b', ['2']],
    ]);
    expect(settled).toBe(0);
    ack();
    await Promise.all(sends);
    expect(settled).toBe(3);
  });

  it('sends a full batch at once, without waiting for the end of the turn', () => {
    const requests: TopicMessages[][] = [];
    const b = new ProduceBatcher(async (tm) => void requests.push(tm), 3);
    void b.send('a', [msg('1'), msg('2')]);
    expect(requests).toHaveLength(0);
    void b.send('a', [msg('3')]);
    expect(requests).toHaveLength(1);
  });

  it('fails only the callers of the topic that fails', async () => {
    const b = new ProduceBatcher(async (tm) => {
      if (tm.some((t) => t.topic === 'bad')) throw new Error('refused');
    });
    const [good, bad] = await Promise.allSettled([b.send('good', [msg('1')]), b.send('bad', [msg('2')])]);
    expect(good.status).toBe('fulfilled');
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'refused' } });
  });

  it('idle() waits for what is queued and in flight', async () => {
    let sent = 0;
    const b = new ProduceBatcher(async () => {
      await new Promise((r) => setTimeout(r, 20));
      sent++;
    });
    void b.send('a', [msg('1')]);
    await b.idle();
    expect(sent).toBe(1);
  });
});
