import { describe, expect, it } from 'vitest';
import { BucketWindow } from '../../../lib/state/bucket-window.js';

const A = 0;
const B = 1;

describe('BucketWindow', () => {
  it('sums each counter over the window and forgets buckets that left it', () => {
    const window = new BucketWindow(10_000, 1_000, 2);
    window.add(0, A, 1);
    window.add(500, A, 2);
    window.add(3_000, B, 5);
    window.add(9_999, A, 4);
    expect(window.total(9_999, A)).toBe(7);
    expect(window.total(9_999, B)).toBe(5);
    // At 11 000 the window starts at bucket 1: bucket 0 (3 of A) has left.
    expect(window.total(11_000, A)).toBe(4);
    // A bucket counts while any part of it is inside the window: bucket 3 until 14 000.
    expect(window.total(13_999, B)).toBe(5);
    expect(window.total(14_000, B)).toBe(0);
    expect(window.total(30_000, A)).toBe(0);
  });

  it('starts from zero again once every bucket has left', () => {
    const window = new BucketWindow(1_000, 100, 1);
    window.add(0, A, 0.1);
    window.add(50, A, 0.2);
    expect(window.total(5_000, A)).toBe(0);
    window.add(5_000, A, 3);
    expect(window.total(5_000, A)).toBe(3);
  });

  it('adjusts a bucket still in the window, never below zero, and ignores one that left', () => {
    const window = new BucketWindow(10_000, 1_000, 2);
    window.add(1_000, B, 100);
    window.add(2_000, B, 50);
    window.adjust(1_500, B, -30);
    expect(window.total(2_000, B)).toBe(120);
    window.adjust(2_100, B, -500);
    expect(window.total(2_000, B)).toBe(70);
    window.adjust(99_000, B, 10);
    expect(window.total(2_000, B)).toBe(70);
  });

  it('tells when enough of a counter will have left the window', () => {
    const window = new BucketWindow(60_000, 1_000, 1);
    window.add(1_000, A, 2);
    window.add(5_500, A, 3);
    // The first bucket (index 1) frees 2 at 2 000 + 60 000; freeing 4 needs the bucket of 5 500 too.
    expect(window.freedAt(6_000, A, 2)).toBe(62_000);
    expect(window.freedAt(6_000, A, 4)).toBe(66_000);
    expect(window.freedAt(6_000, A, 10)).toBe(66_000);
  });

  it('counts in the newest bucket when the clock steps back, so expiry stays in order', () => {
    const window = new BucketWindow(10_000, 1_000, 1);
    window.add(5_000, A, 1);
    window.add(2_000, A, 1);
    expect(window.total(5_000, A)).toBe(2);
    // Both counts sit in bucket 5 and leave together.
    expect(window.total(15_500, A)).toBe(2);
    expect(window.total(16_000, A)).toBe(0);
  });
});
