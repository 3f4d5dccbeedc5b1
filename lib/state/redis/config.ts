/**
 * The `state:` block of proxy.yaml for the Redis backend. Exactly one way to reach
 * Redis is given: a `url` (standalone), `sentinels` + `name`, or `cluster` seed
 * nodes. The timing defaults favour serving over waiting: a command that has not
 * answered within `command_timeout_ms` sends the replica to local state.
 */
import { z } from 'zod';

const ms = z.number().int().positive();

const nodeSchema = z.strictObject({
  /** Host name or address of the node. */
  host: z.string().min(1),
  /** TCP port of the node. */
  port: z.number().int().min(1).max(65535),
});

export const redisStateSchema = z
  .strictObject({
    /** Shared state in Redis, so replicas agree on slots, breakers, cooldowns, latency and quotas. */
    backend: z.literal('redis'),
    /**
     * Standalone server, `redis://[user:pass@]host:port[/db]` (`rediss://` for TLS).
     * @default undefined
     */
    url: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'expected redis://host:port or rediss://host:port')
      .optional(),
    /**
     * Sentinel nodes to ask for the current master of `name`.
     * @default undefined
     */
    sentinels: z.array(nodeSchema).min(1).optional(),
    /**
     * Master group name watched by the sentinels (required with `sentinels`).
     * @default undefined
     */
    name: z.string().min(1).optional(),
    /**
     * Seed nodes of a Redis Cluster; the rest of the cluster is discovered from them.
     * @default undefined
     */
    cluster: z.array(nodeSchema).min(1).optional(),
    /**
     * ACL user for sentinel/cluster nodes (a `url` carries its own).
     * @default undefined
     */
    username: z.string().min(1).optional(),
    /**
     * Password for sentinel-managed or cluster nodes (a `url` carries its own); `${ENV}` works.
     * @default undefined
     */
    password: z.string().min(1).optional(),
    /**
     * Password of the sentinels themselves, when they require one.
     * @default undefined
     */
    sentinel_password: z.string().min(1).optional(),
    /**
     * Use TLS to sentinels, sentinel-managed masters and cluster nodes (`rediss://` already implies it for `url`).
     * @default false
     */
    tls: z.boolean().default(false),
    /**
     * Prefix of every key and of the pub/sub channel; replicas that share state use the same one.
     * Braces are refused because they would override the per-target Cluster hash tag.
     * @default 'llmux'
     */
    prefix: z
      .string()
      .regex(/^[^\s{}]+$/, 'no spaces or braces')
      .default('llmux'),
    /**
     * Longest wait for one Redis command; past it the replica serves on local state.
     * @default 250
     */
    command_timeout_ms: ms.default(250),
    /**
     * Longest wait for a TCP connection to Redis (at start and on each reconnect).
     * @default 1000
     */
    connect_timeout_ms: ms.default(1_000),
    /**
     * Reconnect attempts back off linearly (50 ms per attempt) up to this delay.
     * @default 1000
     */
    reconnect_max_delay_ms: ms.default(1_000),
    /**
     * Lifetime of a connection slot that its replica stops refreshing (it died): the
     * longest a crashed replica's slots keep counting. Held slots are refreshed every third of it.
     * @default 15000
     */
    lease_ttl_ms: z.number().int().min(100).default(15_000),
    /**
     * How often cached in-flight counts, latency averages, breakers and cooldowns of
     * recently used targets are re-read: the staleness bound of those reads.
     * @default 100
     */
    cache_refresh_ms: ms.default(100),
    /**
     * Slots of targets without a cap or quota, their releases and successful outcomes
     * gather for this long and go to Redis as one script per target (0: at the end of
     * each event-loop turn). Other replicas see those slots this much later; caps,
     * quotas and failures are never batched.
     * @default 5
     */
    write_batch_ms: z.number().int().min(0).max(1_000).default(5),
    /**
     * Latency samples are batched and written this often.
     * @default 50
     */
    latency_flush_ms: ms.default(50),
    /**
     * While Redis is unreachable, how often the replica checks whether it is back
     * (a reconnect also triggers the check at once).
     * @default 500
     */
    recovery_check_ms: ms.default(500),
  })
  .superRefine((config, ctx) => {
    const ways = [config.url, config.sentinels, config.cluster].filter((way) => way !== undefined).length;
    if (ways !== 1) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of url, sentinels (with name) or cluster', path: [] });
    }
    if (config.sentinels !== undefined && config.name === undefined) {
      ctx.addIssue({ code: 'custom', message: 'sentinels need the master group name', path: ['name'] });
    }
    if (config.name !== undefined && config.sentinels === undefined) {
      ctx.addIssue({ code: 'custom', message: 'name is only used with sentinels', path: ['name'] });
    }
  });

export type RedisStateConfig = z.output<typeof redisStateSchema>;
/** What a caller writes: every option with a default may be left out. */
export type RedisStateInput = z.input<typeof redisStateSchema>;
