// The deploy files are not run here (no Docker engine, no cluster): this checks what can be checked
// statically, against the code they deploy: they parse, name the right ports, probes and paths, keep
// state on durable volumes, run as non-root, and never override a camera by list index. The scale-out
// files (NATS cluster, edge and infer roles) are checked in cluster-manifests.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config/index.js';
import { dockerfileEnv, loadWithEnv, read, yamlDocs, type Doc } from './manifest-checks.js';

const dockerfiles = ['deploy/Dockerfile', 'deploy/Dockerfile.gpu'];
// Routes the probes may use: the service answers these (src/api/routes-system.ts).
const probePaths = new Set(['/healthz', '/readyz']);

const k8sDocs = (): Doc[] => yamlDocs('deploy/k8s/tsn-stream.yaml');

describe('deploy manifests', () => {
  it('Dockerfiles: non-root, no camera override by index, exposed port = healthcheck port', () => {
    for (const file of dockerfiles) {
      const text = read(file);
      const users = [...text.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
      assert.ok(users.length > 0 && users.at(-1) !== 'root', `${file}: runs as root`);
      assert.doesNotMatch(text, /TSN_CAMERAS__\d+__/, `${file}: replaces a configured camera by index`);
      assert.match(text, /EXPOSE 8080/);
      assert.match(text, /ORT_DISABLE_TELEMETRY|TSN_SERVER__HOST=0\.0\.0\.0/);
      for (const m of text.matchAll(/127\.0\.0\.1:(\d+)(\/\w+)/g)) {
        assert.equal(m[1], '8080');
        assert.ok(probePaths.has(m[2]!), `${file}: healthcheck path ${m[2]}`);
      }
    }
  });

  it("Dockerfiles: every TSN_ variable names a config key; the cache dir (models, simulated clips) is the user's", () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((l) => l.trim() !== '');
    for (const file of dockerfiles) {
      const text = read(file);
      const env = dockerfileEnv(text);
      const config = loadWithEnv(
        { ...env, TSN_SERVER__AUTH__TOKEN: 'x'.repeat(32) },
        { file: 'configs/default.yaml' },
      );
      // Simulated clips go to <cacheDir>/sim (src/service/start-service.ts): the user must own cacheDir.
      const user = [...text.matchAll(/^USER\s+(\S+)/gm)].at(-1)![1]!;
      const chowned = [...text.matchAll(/chown\s+(\S+)\s+([^&\n]+)/g)].filter(
        (m) => m[1]!.startsWith(`${user}:`) || m[1] === user,
      );
      const owned = chowned.flatMap((m) => m[2]!.trim().split(/\s+/));
      for (const dir of [config.model.cacheDir, config.stateFile!.replace(/\/[^/]+$/, '')]) {
        assert.ok(owned.includes(dir), `${file}: ${dir} is not owned by ${user}`);
      }
      // Nothing the image needs may come from a path .dockerignore leaves out (e.g. test/fixtures).
      for (const path of ignored)
        assert.ok(!text.includes(` ${path}/`), `${file} uses ${path}, which .dockerignore drops`);
    }
  });

  it('compose: parses, passes cameras by id, needs a token for the exposed service', () => {
    const compose = parse(read('deploy/compose.yaml')) as Doc;
    const tsn = compose.services.tsn as Doc;
    assert.ok(!JSON.stringify(compose).match(/TSN_CAMERAS__\d+__/), 'camera override by index');
    assert.match(String(tsn.environment.TSN_SERVER__AUTH__TOKEN), /\$\{TSN_TOKEN:\?/);
    assert.deepEqual(tsn.ports, ['8080:8080']);
  });

  it('k8s: the config validates, ports and probes match it, state and models are on claims, the token is required', () => {
    const docs = k8sDocs();
    const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
    const configMap = byKind('ConfigMap')[0]!;
    const config = loadConfig({
      text: configMap.data['config.yaml'] as string,
      env: { TSN_SERVER__AUTH__TOKEN: 'x'.repeat(32) },
    });
    const deployment = byKind('Deployment')[0]!;
    const pod = deployment.spec.template.spec as Doc;
    const container = pod.containers[0] as Doc;
    const port = container.ports.find((p: Doc) => p.name === 'http') as Doc;
    assert.equal(port.containerPort, config.server.port);
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      assert.ok(probePaths.has(container[probe].httpGet.path), probe);
      assert.equal(container[probe].httpGet.port, 'http');
    }
    const tokenEnv = (container.env as Doc[]).find((e) => e.name === 'TSN_SERVER__AUTH__TOKEN')!;
    assert.notEqual(tokenEnv.valueFrom.secretKeyRef.optional, true, 'the token secret must be required');
    const claims = new Set(byKind('PersistentVolumeClaim').map((c) => c.metadata.name as string));
    const volumes = new Map((pod.volumes as Doc[]).map((v) => [v.name as string, v]));
    const mountOf = (path: string) =>
      (container.volumeMounts as Doc[]).find((m) => path.startsWith(m.mountPath as string));
    for (const path of [config.stateFile!, config.model.cacheDir]) {
      const volume = volumes.get(mountOf(path)?.name as string);
      assert.ok(volume?.persistentVolumeClaim !== undefined, `${path} is not on a claim`);
      assert.ok(claims.has(volume.persistentVolumeClaim.claimName as string), `claim for ${path}`);
    }
    const service = byKind('Service')[0]!;
    assert.equal(service.spec.ports[0].targetPort, 'http');
    assert.deepEqual(service.spec.selector, deployment.spec.selector.matchLabels);
  });
});
