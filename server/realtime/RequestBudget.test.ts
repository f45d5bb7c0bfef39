import { describe, expect, it } from 'vitest';
import { RequestBudget } from './RequestBudget.js';

describe('RequestBudget', () => {
  it('allows a burst, then the rate, and refills no further than the burst', () => {
    let now = 0;
    const budget = new RequestBudget({ burst: 5, perSecond: 10, now: () => now });
    const takes = (n: number) => Array.from({ length: n }, () => budget.take()).filter(Boolean).length;
    expect(takes(8)).toBe(5);
    now += 300; // 3 requests' worth
    expect(takes(8)).toBe(3);
    now += 60_000; // a long pause refills to the burst, not beyond
    expect(takes(20)).toBe(5);
  });
});
