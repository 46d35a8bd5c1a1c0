// The scale-out deploy files (docs/scale-out.md) checked statically against the code, as manifests.test.ts
// does for the single process: every Kubernetes file parses with the fields the API server requires, the
// NATS cluster config is accepted by a real nats-server and routes to every replica, and each tsn-stream
// container runs a role through variables that name real config keys, on the port and probes the service
// serves, with the token secret required.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { hasNatsServer, NATS_SERVER_BIN } from '../../helpers/nats-server.js';
import { needs } from '../../helpers/tools.js';
import {
  cameraIndexOverrides,
  containerEnv,
  dockerfileEnv,
  hasClusterSchema,
  k8sFiles,
  loadWithEnv,
  read,
  TEST_TOKEN,
  yamlDocs,
  type Doc,
} from './manifest-checks.js';

const probePaths = new Set(['/healthz', '/readyz']);
const workloadKinds = new Set(['Deployment', 'StatefulSet']);
const allDocs = (): Doc[] => k8sFiles().flatMap((f) => yamlDocs(f).map((d) => ({ ...d, file: f })));
const clusterFiles = ['deploy/k8s/tsn-cluster.yaml', 'deploy/k8s/tsn-infer-gpu.yaml'];

function skipWithoutClusterSchema(t: TestContext): boolean {
  if (hasClusterSchema()) return false;
  t.skip('the config schema has no cluster section yet (tsn serve --role): nothing to check against');
  return true;
}

/** The image a Dockerfile builds, by the tag the manifests use. */
const dockerfileOf = (image: string) =>
  image.endsWith(':gpu') ? 'deploy/Dockerfile.gpu' : 'deploy/Dockerfile';

describe('scale-out deploy manifests', () => {
  it('every Kubernetes document has apiVersion, kind, a name; selectors match their pods; named ports exist', () => {
    const docs = allDocs();
    for (const d of docs) {
      assert.ok(
        d.apiVersion && d.kind && d.metadata?.name,
        `${d.file}: a document lacks apiVersion/kind/name`,
      );
    }
    const workloads = docs.filter((d) => workloadKinds.has(d.kind as string));
    for (const w of workloads) {
      const where = `${w.file} ${w.kind}/${w.metadata.name}`;
      const labels = w.spec.template.metadata.labels as Doc;
      for (const [k, v] of Object.entries(w.spec.selector.matchLabels as Doc))
        assert.equal(labels[k], v, where);
      for (const c of w.spec.template.spec.containers as Doc[]) {
        assert.ok(c.name && c.image, `${where}: container without name or image`);
        const ports = new Set(((c.ports ?? []) as Doc[]).map((p) => p.name as string));
        for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
          assert.ok(c[probe]?.httpGet, `${where}: ${probe}`);
          assert.ok(ports.has(c[probe].httpGet.port as string), `${where}: ${probe} port`);
        }
        const volumes = new Set(((w.spec.template.spec.volumes ?? []) as Doc[]).map((v) => v.name as string));
        for (const t of (w.spec.volumeClaimTemplates ?? []) as Doc[]) volumes.add(t.metadata.name as string);
        for (const m of (c.volumeMounts ?? []) as Doc[])
          assert.ok(volumes.has(m.name as string), `${where}: ${m.name}`);
      }
    }
    for (const s of docs.filter((d) => d.kind === 'Service')) {
      const selected = workloads.filter((w) =>
        Object.entries(s.spec.selector as Doc).every(([k, v]) => w.spec.template.metadata.labels[k] === v),
      );
      assert.ok(selected.length > 0, `${s.file} Service/${s.metadata.name} selects no pods`);
      const named = new Set(
        selected.flatMap((w) =>
          (w.spec.template.spec.containers as Doc[]).flatMap((c) => (c.ports as Doc[]).map((p) => p.name)),
        ),
      );
      for (const p of s.spec.ports as Doc[])
        assert.ok(named.has(p.targetPort), `${s.metadata.name}: ${p.targetPort}`);
    }
  });

  it('NATS StatefulSet: 3 nodes, routes to each through the headless Service, JetStream on a claim, config accepted by nats-server', (t) => {
    const docs = yamlDocs('deploy/k8s/nats-cluster.yaml');
    const set = docs.find((d) => d.kind === 'StatefulSet')!;
    const headless = docs.find((d) => d.kind === 'Service' && d.metadata.name === set.spec.serviceName)!;
    assert.equal(headless.spec.clusterIP, 'None');
    assert.equal(set.spec.replicas, 3);
    const conf = docs.find((d) => d.kind === 'ConfigMap')!.data['nats.conf'] as string;
    for (let i = 0; i < set.spec.replicas; i++) {
      assert.ok(
        conf.includes(`nats://${set.metadata.name}-${i}.${headless.metadata.name}:6222`),
        `route to node ${i}`,
      );
    }
    const container = set.spec.template.spec.containers[0] as Doc;
    const store = /store_dir:\s*(\S+)/.exec(conf)![1]!;
    const mount = (container.volumeMounts as Doc[]).find((m) => m.mountPath === store)!;
    assert.ok(
      (set.spec.volumeClaimTemplates as Doc[]).some((c) => c.metadata.name === mount.name),
      'store on a claim',
    );
    if (!needs(t, hasNatsServer(), 'nats-server')) return;
    const dir = mkdtempSync(join(tmpdir(), 'tsn-nats-conf-'));
    try {
      writeFileSync(join(dir, 'nats.conf'), conf);
      const check = spawnSync(NATS_SERVER_BIN, ['-t', '-c', join(dir, 'nats.conf')], {
        env: { POD_NAME: `${set.metadata.name}-0` },
        encoding: 'utf8',
      });
      assert.equal(check.status, 0, check.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tsn-stream roles: image, port, probes, required token, variables that name config keys, GPU only on the GPU image', (t) => {
    if (skipWithoutClusterSchema(t)) return;
    const docs = clusterFiles.flatMap((f) => yamlDocs(f));
    const configText = docs.find((d) => d.kind === 'ConfigMap')!.data['config.yaml'] as string;
    const roles = new Set<string>();
    for (const w of docs.filter((d) => d.kind === 'Deployment')) {
      const pod = w.spec.template.spec as Doc;
      const c = pod.containers[0] as Doc;
      const env = { ...dockerfileEnv(read(dockerfileOf(c.image as string))), ...containerEnv(c) };
      // Loosely typed: the cluster keys are checked at run time, against whichever schema is built.
      const config = loadWithEnv(env, { text: configText }) as unknown as Doc;
      roles.add(config.cluster.role);
      assert.notEqual(config.cluster.role, 'all', `${w.metadata.name}: runs no role`);
      assert.equal(w.spec.template.metadata.labels.role, config.cluster.role, w.metadata.name);
      assert.deepEqual(c.args.slice(0, 2), ['serve', '--config']);
      const mount = (c.volumeMounts as Doc[]).find((m) =>
        (c.args[2] as string).startsWith(m.mountPath as string),
      );
      const volume = (pod.volumes as Doc[]).find((v) => v.name === mount?.name);
      assert.ok(volume?.configMap !== undefined, `${w.metadata.name}: --config is not from the ConfigMap`);
      assert.equal((c.ports as Doc[]).find((p) => p.name === 'http')?.containerPort, config.server.port);
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        assert.ok(probePaths.has(c[probe].httpGet.path), `${w.metadata.name}: ${probe}`);
      }
      const token = (c.env as Doc[]).find((e) => e.name === 'TSN_SERVER__AUTH__TOKEN')!;
      assert.notEqual(token.valueFrom.secretKeyRef.optional, true, 'the token secret must be required');
      const gpu = c.resources?.limits?.['nvidia.com/gpu'] !== undefined;
      assert.equal(gpu, (c.image as string).endsWith(':gpu'), `${w.metadata.name}: GPU request vs image`);
      if (gpu) assert.equal(config.cluster.role, 'infer');
      assert.ok(config.nats.servers !== undefined || config.nats.url !== undefined, 'NATS servers');
    }
    assert.deepEqual([...roles].sort(), ['edge', 'infer']);
    assert.deepEqual(cameraIndexOverrides(clusterFiles.map(read).join('\n')), []);
  });

  it('compose with roles: 3 routed NATS nodes, edges and one infer worker, variables that name config keys', (t) => {
    const compose = parse(read('deploy/compose.cluster.yaml'), { merge: true }) as Doc;
    const services = compose.services as Record<string, Doc>;
    const natsNodes = Object.keys(services).filter((n) => /^nats-\d$/.test(n));
    assert.equal(natsNodes.length, 3);
    for (const n of natsNodes) {
      const args = (services[n]!.command as string[]).join(' ');
      assert.match(args, /--jetstream/);
      assert.match(args, new RegExp(`--name=${n}\\b`));
      for (const other of natsNodes)
        assert.ok(args.includes(`nats://${other}:6222`), `${n} routes to ${other}`);
    }
    assert.deepEqual(cameraIndexOverrides(read('deploy/compose.cluster.yaml')), []);
    if (skipWithoutClusterSchema(t)) return;
    const roles: string[] = [];
    const hostPorts: string[] = [];
    for (const [name, s] of Object.entries(services).filter(([, s]) => s.command?.[0] === 'serve')) {
      const env = Object.fromEntries(
        Object.entries(s.environment as Doc).map(([k, v]) => [
          k,
          String(v).replace(/^\$\{TSN_TOKEN:\?.*\}$/, TEST_TOKEN),
        ]),
      );
      assert.match(
        String(s.environment.TSN_SERVER__AUTH__TOKEN),
        /\$\{TSN_TOKEN:\?/,
        `${name}: token required`,
      );
      const config = loadWithEnv(
        { ...dockerfileEnv(read('deploy/Dockerfile')), ...env },
        { file: s.command[2] as string },
      ) as unknown as Doc;
      roles.push(config.cluster.role);
      for (const server of (config.nats.servers as string).split(',')) {
        assert.ok(natsNodes.includes(new URL(server).hostname), `${name}: ${server}`);
      }
      hostPorts.push(...((s.ports ?? []) as string[]).map((p) => p.split(':')[0]!));
    }
    assert.equal(roles.filter((r) => r === 'infer').length, 1);
    assert.ok(roles.filter((r) => r === 'edge').length >= 1);
    assert.equal(new Set(hostPorts).size, hostPorts.length, 'host ports collide');
  });
});
