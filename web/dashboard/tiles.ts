// The camera grid: one tile per camera with live video, the top label drawn over it, status, fps and the
// top-3 bars. A tile is lit while one of its camera's action episodes is open.
import { clockTime, h, percent } from './dom.js';
import { LivePlayer, type LiveState } from './live-player.js';
import type { CameraJson, CameraStatus, WireLabelScore } from './types.js';

export interface TileDeps {
  readonly liveUrl: ((cameraId: string) => string) | null;
  readonly onEdit: (camera: CameraJson) => void;
  readonly now: () => number;
}

class Tile {
  readonly root: HTMLElement;
  private readonly video = h('video', { muted: true, autoplay: true, playsinline: true });
  private readonly overlay = h('div', { class: 'overlay' });
  private readonly liveNote = h('div', { class: 'live-note' });
  private readonly statusLine = h('div', { class: 'status' });
  private readonly fpsLine = h('span', { class: 'fps' });
  private readonly bars = h('div', { class: 'bars' });
  private readonly player: LivePlayer | undefined;
  private status: CameraStatus | undefined;
  readonly openEpisodes = new Set<string>();
  predictions = 0;

  constructor(
    readonly id: string,
    private camera: CameraJson,
    private readonly deps: TileDeps,
  ) {
    this.video.muted = true;
    const edit = h('button', { class: 'link', type: 'button', title: 'Edit this camera' }, 'edit');
    edit.addEventListener('click', () => deps.onEdit(this.camera));
    this.root = h(
      'article',
      { class: 'tile', 'data-camera': id },
      h('div', { class: 'screen' }, this.video, this.overlay, this.liveNote),
      h('header', {}, h('strong', {}, id), this.fpsLine, edit),
      this.statusLine,
      this.bars,
    );
    for (let i = 0; i < 3; i++) this.bars.append(barRow());
    const liveUrl = deps.liveUrl;
    if (liveUrl !== null) {
      this.player = new LivePlayer({
        video: this.video,
        url: () => liveUrl(id),
        onState: (state, detail) => this.showLive(state, detail),
      });
      this.player.start();
    } else this.showLive('unsupported', 'no live view (the service has no ffmpeg)');
    this.update(camera);
  }

  get liveFragments(): number {
    return this.player?.fragments ?? 0;
  }

  update(camera: CameraJson): void {
    // A new URL may be watchable where the old one was not (whip:// -> rtsp://): ask the server again.
    if (camera.url !== this.camera.url && this.player !== undefined) {
      this.player.close();
      this.player.start();
    }
    this.camera = camera;
    this.fpsLine.textContent = `${camera.fps.toFixed(1)} fps`;
    this.setStatus(camera.status);
    if (camera.lastPrediction !== null && this.predictions === 0)
      this.setTop(camera.lastPrediction.top, false);
  }

  setStatus(status: CameraStatus): void {
    this.status = status;
    this.renderStatus();
  }

  /** Called every second, so a backoff's retry countdown moves. */
  tick(): void {
    if (this.status?.state === 'backoff') this.renderStatus();
  }

  setTop(top: readonly WireLabelScore[], fromPrediction = true): void {
    if (fromPrediction) this.predictions += 1;
    const rows = [...this.bars.children] as HTMLElement[];
    rows.forEach((row, i) => {
      const entry = top[i];
      const [name, track, value] = [...row.children] as HTMLElement[];
      const fill = track?.firstElementChild as HTMLElement | null;
      if (name) name.textContent = entry?.label ?? '';
      if (value) value.textContent = entry === undefined ? '' : percent(entry.score);
      if (fill) fill.style.width = entry === undefined ? '0' : percent(entry.score);
    });
    const first = top[0];
    this.overlay.textContent = first === undefined ? '' : `${first.label} ${percent(first.score)}`;
  }

  episode(type: 'action.started' | 'action.ended', episodeId: string): void {
    if (type === 'action.started') this.openEpisodes.add(episodeId);
    else this.openEpisodes.delete(episodeId);
    this.root.classList.toggle('episode', this.openEpisodes.size > 0);
  }

  dispose(): void {
    this.player?.close();
    this.root.remove();
  }

  private renderStatus(): void {
    const s = this.status;
    if (s === undefined) return;
    this.root.dataset.state = s.state;
    this.statusLine.textContent = statusText(s, this.deps.now());
  }

  private showLive(state: LiveState, detail?: string): void {
    this.root.dataset.live = state;
    this.liveNote.textContent = state === 'playing' ? '' : (detail ?? state);
  }
}

function barRow(): HTMLElement {
  return h(
    'div',
    { class: 'bar' },
    h('span', { class: 'label' }),
    h('span', { class: 'track' }, h('span', { class: 'fill' })),
    h('span', { class: 'score' }),
  );
}

export function statusText(s: CameraStatus, nowMs: number): string {
  switch (s.state) {
    case 'streaming':
      return `streaming ${s.width}x${s.height} since ${clockTime(s.sinceMs)}`;
    case 'connecting':
      return `connecting (attempt ${s.attempt})`;
    case 'backoff': {
      const retryInS = Math.max(0, Math.ceil((s.sinceMs + s.retryInMs - nowMs) / 1000));
      return `backoff: ${s.error.kind}: ${s.error.message}; retry ${s.attempt} in ${retryInS} s`;
    }
    case 'failed':
      return `failed: ${s.error.kind}: ${s.error.message}`;
    case 'stopped':
      return 'stopped';
  }
}

/** The grid: tiles added, updated and removed as the camera list changes. */
export class Grid {
  private readonly tiles = new Map<string, Tile>();

  constructor(
    private readonly root: HTMLElement,
    private readonly deps: TileDeps,
  ) {
    window.setInterval(() => this.tiles.forEach((t) => t.tick()), 1000);
  }

  sync(cameras: readonly CameraJson[]): void {
    const seen = new Set<string>();
    for (const camera of cameras) {
      seen.add(camera.id);
      const tile = this.tiles.get(camera.id);
      if (tile !== undefined) tile.update(camera);
      else {
        const created = new Tile(camera.id, camera, this.deps);
        this.tiles.set(camera.id, created);
        this.root.append(created.root);
      }
    }
    for (const [id, tile] of this.tiles) {
      if (seen.has(id)) continue;
      tile.dispose();
      this.tiles.delete(id);
    }
    this.root.classList.toggle('empty', this.tiles.size === 0);
  }

  get(id: string): Tile | undefined {
    return this.tiles.get(id);
  }

  /** For tests and the curious: what each tile has received. */
  snapshot(): Record<string, { predictions: number; liveFragments: number; openEpisodes: number }> {
    return Object.fromEntries(
      [...this.tiles].map(([id, t]) => [
        id,
        { predictions: t.predictions, liveFragments: t.liveFragments, openEpisodes: t.openEpisodes.size },
      ]),
    );
  }
}
