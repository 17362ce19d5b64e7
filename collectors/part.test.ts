import { describe, expect, it } from 'vitest';
import { tapTopics } from './part';

describe('tapTopics', () => {
  it('reads every non-internal topic without a prefix', () => {
    const re = tapTopics('');
    expect(['orders', 'payment-svc.retry', 'foreign.events'].every((t) => re.test(t))).toBe(true);
    expect(re.test('__consumer_offsets')).toBe(false);
  });

  it("reads only its own deployment's topics with a prefix, dots and dashes taken literally", () => {
    const re = tapTopics('eu-1.shop');
    expect(re.test('eu-1.shop.orders')).toBe(true);
    expect(re.test('eu-1.shop.payment-svc.dlq')).toBe(true);
    expect(re.test('orders')).toBe(false);
    expect(re.test('eu-1.shopping.orders')).toBe(false);
    expect(re.test('eu-1xshop.orders')).toBe(false);
    expect(re.test('us-1.shop.orders')).toBe(false);
  });
});
