// The dashboard at GET /: cameras live with what the model sees, the events timeline, camera editing and
// a few throughput figures. Plain DOM + TypeScript, bundled by esbuild into assets/dashboard/app.js.
import { Api, errorText } from './api.js';
import { CameraForm } from './camera-form.js';
import { byId, h } from './dom.js';
import { sumMetrics, throughput, type MetricSums } from './prom.js';
import { Timeline } from './timeline.js';
import { Grid } from './tiles.js';
import type { CameraJson, DashboardConfig, WireEvent, WireMessage } from './types.js';

const POLL_MS = 2000;

interface DashboardState {
  ready: boolean;
  webSocket: 'connecting' | 'open' | 'closed' | 'unauthorized';
  messages: number;
  tiles: () => ReturnType<Grid['snapshot']>;
  events: () => number;
}

async function main(): Promise<void> {
  const api = new Api();
  const config = await api.getJson<DashboardConfig>('/v1/dashboard/config');
  if (config.whipPublishPage !== null) byId<HTMLAnchorElement>('publish-link').href = config.whipPublishPage;
  else byId('publish-link').hidden = true;
  if (config.auth.token && !(await tokenAccepted(api))) await askForToken(api);
  setupTokenButton(api, config);

  let cameras: readonly CameraJson[] = [];
  const form = new CameraForm(byId<HTMLFormElement>('camera-form'), api, () => void refresh());
  const livePath = config.livePath;
  const grid = new Grid(byId('grid'), {
    liveUrl: livePath === null ? null : (id) => api.webSocketUrl(`${livePath}${encodeURIComponent(id)}`),
    onEdit: (camera) => form.edit(camera),
    now: () => Date.now(),
  });
  const timeline = new Timeline(
    byId('events'),
    byId('event-detail'),
    byId<HTMLSelectElement>('filter-camera'),
    byId<HTMLSelectElement>('filter-label'),
  );
  const state: DashboardState = {
    ready: false,
    webSocket: 'connecting',
    messages: 0,
    tiles: () => grid.snapshot(),
    events: () => timeline.size,
  };
  (window as unknown as { dashboard: DashboardState }).dashboard = state;

  async function refresh(): Promise<void> {
    try {
      cameras = (await api.getJson<{ cameras: CameraJson[] }>('/v1/cameras')).cameras;
      grid.sync(cameras);
      timeline.setCameras(cameras.map((c) => c.id));
      setBanner('');
    } catch (error) {
      setBanner(`cannot list cameras: ${errorText(error)}`);
    }
  }

  const onMessage = (message: WireMessage): void => {
    state.messages += 1;
    const tile = grid.get(message.camera);
    if (message.type === 'prediction') tile?.setTop(message.top);
    else if (message.type === 'status') tile?.setStatus(statusOf(message));
    else {
      tile?.episode(message.type, message.episodeId);
      timeline.add([message]);
    }
  };

  await refresh();
  const history = await api.getJson<{ events: WireEvent[] }>('/v1/events/recent?limit=200');
  for (const e of [...history.events].reverse()) grid.get(e.camera)?.episode(e.type, e.episodeId);
  timeline.add(history.events);
  if (config.webSocketPath !== null) connectEvents(api, config.webSocketPath, state, onMessage);
  else {
    state.webSocket = 'closed';
    setLink('off (websocket.enabled: false); polling every 2 s');
  }
  startStats(api);
  window.setInterval(() => void refresh(), POLL_MS);
  state.ready = true;
}

function statusOf(m: Extract<WireMessage, { type: 'status' }>): CameraJson['status'] {
  const error = m.error ?? { kind: 'unknown' as const, message: '' };
  switch (m.state) {
    case 'streaming':
      return { state: 'streaming', sinceMs: m.sinceMs, width: m.width ?? 0, height: m.height ?? 0 };
    case 'connecting':
      return { state: 'connecting', sinceMs: m.sinceMs, attempt: m.attempt ?? 0 };
    case 'backoff':
      return {
        state: 'backoff',
        sinceMs: m.sinceMs,
        attempt: m.attempt ?? 0,
        retryInMs: m.retryInMs ?? 0,
        error,
      };
    case 'failed':
      return { state: 'failed', sinceMs: m.sinceMs, error };
    case 'stopped':
      return { state: 'stopped', sinceMs: m.sinceMs };
  }
}

function connectEvents(
  api: Api,
  path: string,
  state: DashboardState,
  onMessage: (m: WireMessage) => void,
): void {
  const url = api.webSocketUrl(path, { types: 'action.started,action.ended,prediction,status' });
  const ws = new WebSocket(url);
  state.webSocket = 'connecting';
  let opened = false;
  ws.onopen = () => {
    opened = true;
    state.webSocket = 'open';
    setLink('live');
  };
  ws.onmessage = (message: MessageEvent<string>) => {
    const data = JSON.parse(message.data) as WireMessage | { op: string };
    if ('type' in data) onMessage(data);
  };
  ws.onclose = () => {
    state.webSocket = opened ? 'closed' : 'unauthorized';
    setLink(opened ? 'reconnecting' : 'cannot connect (a wrong token?)');
    window.setTimeout(() => connectEvents(api, path, state, onMessage), 3000);
  };
}

function startStats(api: Api): void {
  let last: { sums: MetricSums; atMs: number } | undefined;
  const poll = async () => {
    try {
      const sums = sumMetrics(await api.getText('/metrics'));
      const atMs = performance.now();
      if (last !== undefined) {
        const t = throughput(last.sums, sums, (atMs - last.atMs) / 1000);
        byId('stat-frames').textContent = t.framesPerS.toFixed(1);
        byId('stat-predictions').textContent = t.predictionsPerS.toFixed(2);
        byId('stat-queue').textContent = String(t.queueDepth);
        byId('stat-inference').textContent = t.inferenceMs === null ? '–' : t.inferenceMs.toFixed(1);
        byId('stat-drops').textContent = String(t.queueDrops);
      }
      last = { sums, atMs };
    } catch {
      // The panel keeps its last figures; the banner reports API trouble.
    }
  };
  void poll();
  window.setInterval(() => void poll(), POLL_MS);
}

async function tokenAccepted(api: Api): Promise<boolean> {
  if (api.token() === null) return false;
  const res = await fetch('/v1/dashboard/auth', { headers: { authorization: `Bearer ${api.token()}` } });
  return res.ok;
}

/** Shows the token form and resolves once the service accepts the token typed in. */
function askForToken(api: Api): Promise<void> {
  const panel = byId('auth-panel');
  const form = byId<HTMLFormElement>('auth-form');
  const input = byId<HTMLInputElement>('auth-token');
  const message = byId('auth-message');
  panel.hidden = false;
  input.focus();
  return new Promise((resolve) => {
    form.onsubmit = async (e) => {
      e.preventDefault();
      api.setToken(input.value.trim());
      if (await tokenAccepted(api)) {
        panel.hidden = true;
        input.value = '';
        resolve();
      } else message.textContent = 'the service did not accept this token';
    };
  });
}

function setupTokenButton(api: Api, config: DashboardConfig): void {
  const button = byId<HTMLButtonElement>('forget-token');
  button.hidden = !config.auth.token;
  button.addEventListener('click', () => {
    api.setToken(null);
    window.location.reload();
  });
}

function setBanner(text: string): void {
  const banner = byId('banner');
  banner.textContent = text;
  banner.hidden = text === '';
}

function setLink(text: string): void {
  byId('ws-state').textContent = text;
}

main().catch((error: unknown) => {
  const banner = byId('banner');
  banner.hidden = false;
  banner.replaceChildren(h('strong', {}, 'The dashboard could not start: '), errorText(error));
});
