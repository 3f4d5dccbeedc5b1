import { describe, expect, it } from 'vitest';
import { redisStateSchema } from '../../../lib/state/redis/config.js';

describe('redis state config', () => {
  it('fills every default', () => {
    expect(redisStateSchema.parse({ backend: 'redis', url: 'redis://127.0.0.1:6380' })).toEqual({
      backend: 'redis',
      url: 'redis://127.0.0.1:6380',
      tls: false,
      prefix: 'llmux',
      command_timeout_ms: 250,
      connect_timeout_ms: 1_000,
      reconnect_max_delay_ms: 1_000,
      lease_ttl_ms: 15_000,
      cache_refresh_ms: 100,
      write_batch_ms: 5,
      latency_flush_ms: 50,
      recovery_check_ms: 500,
    });
  });

  it('accepts sentinels with a master name, and cluster seed nodes', () => {
    expect(redisStateSchema.safeParse({ backend: 'redis', sentinels: [{ host: 's1', port: 26379 }], name: 'mymaster' }).success).toBe(true);
    expect(redisStateSchema.safeParse({ backend: 'redis', cluster: [{ host: 'n1', port: 7000 }, { host: 'n2', port: 7001 }] }).success).toBe(true);
  });

  it.each([
    ['no way to reach Redis', { backend: 'redis' }],
    ['two ways at once', { backend: 'redis', url: 'redis://a:1', cluster: [{ host: 'b', port: 2 }] }],
    ['sentinels without a name', { backend: 'redis', sentinels: [{ host: 's', port: 26379 }] }],
    ['a name without sentinels', { backend: 'redis', url: 'redis://a:1', name: 'mymaster' }],
    ['a url of another scheme', { backend: 'redis', url: 'http://a:1' }],
    ['braces in the prefix', { backend: 'redis', url: 'redis://a:1', prefix: 'x{y}' }],
    ['an unknown key', { backend: 'redis', url: 'redis://a:1', command_timeout: 100 }],
    ['a zero timeout', { backend: 'redis', url: 'redis://a:1', command_timeout_ms: 0 }],
    ['a negative write batch window', { backend: 'redis', url: 'redis://a:1', write_batch_ms: -1 }],
    ['a write batch window past a second', { backend: 'redis', url: 'redis://a:1', write_batch_ms: 5_000 }],
  ])('refuses %s', (_, input) => {
    expect(redisStateSchema.safeParse(input).success).toBe(false);
  });
});
