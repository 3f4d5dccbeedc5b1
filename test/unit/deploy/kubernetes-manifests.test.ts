/**
 * examples/kubernetes/ cannot be applied in CI (no cluster), so this reads every
 * manifest and checks that the parts refer to each other correctly: probes hit
 * the admin port the config sets, volumes name the ConfigMap and Secret that
 * exist and mount where proxy.yaml looks, the grace period covers the drain, and
 * every container runs as non-root. The ConfigMap's proxy.yaml and policies go
 * through llmux's own validator.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../../../lib/config/load.js';
import { proxySchema } from '../../../lib/config/schema.js';
import { isLoopback } from '../../../lib/config/exposure.js';

const DIR = fileURLToPath(new URL('../../../examples/kubernetes/', import.meta.url));
const DOCKERFILE = fileURLToPath(new URL('../../../Dockerfile', import.meta.url));

const metadata = z.looseObject({ name: z.string().min(1), labels: z.record(z.string(), z.string()).optional() });
const resource = z.looseObject({ apiVersion: z.string().min(1), kind: z.string().min(1), metadata });
const httpProbe = z.looseObject({ httpGet: z.looseObject({ path: z.string(), port: z.union([z.string(), z.number()]) }) });
const securityContext = z.looseObject({ runAsNonRoot: z.boolean().optional(), runAsUser: z.number().optional() });
const container = z.looseObject({
  name: z.string(),
  image: z.string().min(1),
  args: z.array(z.string()).optional(),
  restartPolicy: z.string().optional(),
  env: z.array(z.looseObject({ name: z.string(), value: z.string().optional() })).optional(),
  ports: z.array(z.looseObject({ name: z.string().optional(), containerPort: z.number() })).optional(),
  startupProbe: httpProbe.optional(),
  readinessProbe: z.looseObject({}).optional(),
  livenessProbe: z.looseObject({}).optional(),
  volumeMounts: z.array(z.looseObject({ name: z.string(), mountPath: z.string(), subPath: z.string().optional() })).optional(),
  securityContext: securityContext.optional(),
  lifecycle: z.looseObject({ preStop: z.looseObject({ exec: z.looseObject({ command: z.array(z.string()) }).optional() }).optional() }).optional(),
});
const volume = z.looseObject({
  name: z.string(),
  configMap: z.looseObject({ name: z.string(), items: z.array(z.looseObject({ key: z.string(), path: z.string() })).optional() }).optional(),
  secret: z.looseObject({ secretName: z.string(), defaultMode: z.number().optional() }).optional(),
});
const deploymentSchema = resource.extend({
  spec: z.looseObject({
    selector: z.looseObject({ matchLabels: z.record(z.string(), z.string()) }),
    template: z.looseObject({
      metadata: z.looseObject({ labels: z.record(z.string(), z.string()) }),
      spec: z.looseObject({
        // Kubernetes' default is 30 s.
        terminationGracePeriodSeconds: z.number().default(30),
        securityContext: securityContext.optional(),
        initContainers: z.array(container).default([]),
        containers: z.array(container).min(1),
        volumes: z.array(volume).default([]),
      }),
    }),
  }),
});
const serviceSchema = resource.extend({
  spec: z.looseObject({ selector: z.record(z.string(), z.string()), ports: z.array(z.looseObject({ port: z.number(), targetPort: z.union([z.string(), z.number()]) })) }),
});
const dataSchema = resource.extend({ data: z.record(z.string(), z.string()).optional(), stringData: z.record(z.string(), z.string()).optional() });
const pdbSchema = resource.extend({ spec: z.looseObject({ selector: z.looseObject({ matchLabels: z.record(z.string(), z.string()) }) }) });

type Resource = z.output<typeof resource> & Record<string, unknown>;
type Deployment = z.output<typeof deploymentSchema>;
type Container = z.output<typeof container>;

function loadManifests(): Resource[] {
  const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
  expect(files.length).toBeGreaterThan(0);
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((doc, i) => {
      expect(doc.errors.map((e) => `${file}#${i}: ${e.message}`)).toEqual([]);
      const parsed = resource.safeParse(doc.toJS());
      if (!parsed.success) throw new Error(`${file}#${i}: ${parsed.error.message}`);
      return parsed.data;
    }),
  );
}

const manifests = loadManifests();

function find<T extends z.ZodType>(kind: string, name: string, schema: T): z.output<T> {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in examples/kubernetes/`);
  return schema.parse(found);
}

const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined): boolean =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const app = find('Deployment', 'chat-app', deploymentSchema);
const pod = app.spec.template.spec;
const llmux = [...pod.initContainers, ...pod.containers].find((c) => c.name === 'llmux') as Container;
const configMap = find('ConfigMap', 'llmux-config', dataSchema);
const proxyYaml = configMap.data?.['proxy.yaml'] ?? '';
const proxy = proxySchema.parse(parseAllDocuments(proxyYaml)[0]?.toJS() ?? {});

const mountOf = (c: Container, volumeName: string): string => {
  const mount = c.volumeMounts?.find((m) => m.name === volumeName);
  if (!mount) throw new Error(`${c.name} does not mount ${volumeName}`);
  // subPath mounts never see ConfigMap or Secret updates, so hot reload would silently stop.
  expect(mount.subPath).toBeUndefined();
  return mount.mountPath;
};

/** Seconds of `sleep N` preStop hooks: they run inside the grace period. */
const preStopSeconds = (c: Container): number => {
  const command = c.lifecycle?.preStop?.exec?.command ?? [];
  return command[0] === 'sleep' ? Number(command[1]) : 0;
};

describe('examples/kubernetes', () => {
  it('every manifest parses, and no two resources share a kind and name', () => {
    const keys = manifests.map((m) => `${m.kind}/${m.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(expect.arrayContaining(['Deployment/chat-app', 'ConfigMap/llmux-config', 'Secret/llmux-provider-keys', 'Service/redis', 'Deployment/redis', 'PodDisruptionBudget/chat-app']));
  });

  it('llmux is a sidecar next to an app that uses it through loopback', () => {
    expect(llmux).toBeDefined();
    // A native sidecar: an init container that keeps running.
    expect(pod.initContainers.find((c) => c.name === 'llmux')?.restartPolicy).toBe('Always');
    expect(isLoopback(proxy.listen.host)).toBe(true);
    const appContainer = pod.containers.find((c) => c.name === 'app');
    expect(appContainer?.env?.find((e) => e.name === 'OPENAI_BASE_URL')?.value).toBe(`http://127.0.0.1:${proxy.listen.port}/v1`);
  });

  it('probes hit /healthz and /readyz on the admin port, which binds beyond loopback for the kubelet', () => {
    const adminPort = llmux.ports?.find((p) => p.name === 'admin');
    expect(adminPort?.containerPort).toBe(proxy.admin.port);
    expect(proxy.admin.enabled).toBe(true);
    expect(proxy.admin.host).toBe('0.0.0.0');
    const probe = (p: unknown): { path: string; port: string | number } => httpProbe.parse(p).httpGet;
    expect(probe(llmux.livenessProbe)).toEqual({ path: '/healthz', port: 'admin' });
    expect(probe(llmux.readinessProbe)).toEqual({ path: '/readyz', port: 'admin' });
    expect(probe(llmux.startupProbe)).toEqual({ path: '/readyz', port: 'admin' });
  });

  it('the config and policies come from the ConfigMap, mounted where -c points', () => {
    const configVolume = pod.volumes.find((v) => v.configMap?.name === 'llmux-config');
    expect(configVolume).toBeDefined();
    const mountPath = mountOf(llmux, configVolume?.name ?? '');
    const args = llmux.args ?? [];
    expect(args.slice(0, 1)).toEqual(['start']);
    expect(args[args.indexOf('-c') + 1]).toBe(posix.join(mountPath, 'proxy.yaml'));
    // Every key is mapped (a policy file added to the ConfigMap but not to items would be ignored) …
    const items = configVolume?.configMap?.items ?? [];
    expect(items.map((i) => i.key).sort()).toEqual(Object.keys(configMap.data ?? {}).sort());
    expect(items.find((i) => i.key === 'proxy.yaml')?.path).toBe('proxy.yaml');
    // … and the policy glob sees every policy file.
    expect(proxy.policies).toBe('policies/*.yaml');
    for (const item of items.filter((i) => i.key !== 'proxy.yaml')) expect(item.path).toMatch(/^policies\/[^/]+\.yaml$/);
  });

  it('provider keys come from the Secret, mounted where ${file:} looks', () => {
    const keysVolume = pod.volumes.find((v) => v.secret?.secretName === 'llmux-provider-keys');
    expect(keysVolume).toBeDefined();
    // Readable by the non-root user through fsGroup, by no one else.
    expect(keysVolume?.secret?.defaultMode).toBe(0o440);
    expect(pod.securityContext?.fsGroup).toBe(llmux.securityContext?.runAsUser);
    const mountPath = mountOf(llmux, keysVolume?.name ?? '');
    const secret = find('Secret', 'llmux-provider-keys', dataSchema);
    const keys = Object.keys({ ...secret.data, ...secret.stringData });
    const references = [...proxyYaml.matchAll(/\$\{file:([^}]+)\}/g)].map((m) => m[1] ?? '');
    expect(references.length).toBeGreaterThan(0);
    for (const file of references) {
      expect(dirname(file)).toBe(mountPath);
      expect(keys).toContain(file.slice(mountPath.length + 1));
    }
    // Keys never sit in the ConfigMap itself.
    for (const line of proxyYaml.split('\n').filter((l) => /^\s*api_key:/.test(l))) expect(line).toMatch(/^\s*api_key: \$\{file:[^}]+\}$/);
  });

  it('the grace period covers the preStop hooks, the drain timeout and a margin', () => {
    const drainSeconds = proxy.shutdown.drain_timeout_ms / 1000;
    expect(drainSeconds).toBe(30);
    const preStops = [...pod.initContainers, ...pod.containers].reduce((sum, c) => sum + preStopSeconds(c), 0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStops + drainSeconds + 5);
  });

  it('every container runs as non-root; llmux as the Dockerfile user with a read-only root filesystem', () => {
    for (const deployment of manifests.filter((m) => m.kind === 'Deployment').map((m) => deploymentSchema.parse(m) as Deployment)) {
      const spec = deployment.spec.template.spec;
      for (const c of [...spec.initContainers, ...spec.containers]) {
        expect(c.securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot, `${deployment.metadata.name}/${c.name}`).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation, `${deployment.metadata.name}/${c.name}`).toBe(false);
      }
    }
    const user = /^USER\s+(\d+)/m.exec(readFileSync(DOCKERFILE, 'utf8'))?.[1];
    expect(llmux.securityContext?.runAsUser).toBe(Number(user));
    expect(llmux.securityContext?.readOnlyRootFilesystem).toBe(true);
  });

  it('state is the redis Service, and the selectors find their pods', () => {
    expect(proxy.state.backend).toBe('redis');
    const url = new URL(proxy.state.backend === 'redis' && 'url' in proxy.state ? String(proxy.state.url) : '');
    const service = find('Service', url.hostname, serviceSchema);
    expect(service.spec.ports.map((p) => p.port)).toContain(Number(url.port || 6379));
    const redis = find('Deployment', 'redis', deploymentSchema);
    expect(matches(service.spec.selector, redis.spec.template.metadata.labels)).toBe(true);
    expect(matches(app.spec.selector.matchLabels, app.spec.template.metadata.labels)).toBe(true);
    const pdb = find('PodDisruptionBudget', 'chat-app', pdbSchema);
    expect(matches(pdb.spec.selector.matchLabels, app.spec.template.metadata.labels)).toBe(true);
  });

  it('the ConfigMap passes llmux validate, laid out as the kubelet mounts it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'llmux-k8s-'));
    try {
      const configVolume = pod.volumes.find((v) => v.configMap?.name === 'llmux-config');
      const keysVolume = pod.volumes.find((v) => v.secret?.secretName === 'llmux-provider-keys');
      const keysMount = mountOf(llmux, keysVolume?.name ?? '');
      const secret = find('Secret', 'llmux-provider-keys', dataSchema);
      // The Secret's files go to a scratch folder, and proxy.yaml is pointed there.
      mkdirSync(join(root, 'secrets'));
      for (const [key, value] of Object.entries({ ...secret.data, ...secret.stringData })) writeFileSync(join(root, 'secrets', key), `${value}\n`);
      for (const item of configVolume?.configMap?.items ?? []) {
        const text = configMap.data?.[item.key] ?? '';
        mkdirSync(dirname(join(root, 'etc', item.path)), { recursive: true });
        writeFileSync(join(root, 'etc', item.path), item.key === 'proxy.yaml' ? text.replaceAll(`${keysMount}/`, `${join(root, 'secrets')}/`) : text);
      }
      const loaded = await loadConfig(join(root, 'etc', 'proxy.yaml'), { env: {} });
      expect(loaded.routes.map((r) => r.name)).toContain('chat');
      // The stand-in app asks for a route that exists.
      expect(pod.containers.find((c) => c.name === 'app')?.args?.join('\n')).toContain('"model": "chat"');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
