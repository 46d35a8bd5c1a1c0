// The events timeline: history from GET /v1/events/recent, then live from the WebSocket; filtered by
// camera and label; a click shows the event's top-k and window. Bounded: the oldest entries go first.
import { clockTime, h, percent } from './dom.js';
import type { WireEvent } from './types.js';

const MAX_EVENTS = 500;

export class Timeline {
  private events: WireEvent[] = [];
  private readonly ids = new Set<string>();
  private selected: string | undefined;

  constructor(
    private readonly list: HTMLElement,
    private readonly detail: HTMLElement,
    private readonly cameraFilter: HTMLSelectElement,
    private readonly labelFilter: HTMLSelectElement,
  ) {
    cameraFilter.addEventListener('change', () => this.render());
    labelFilter.addEventListener('change', () => this.render());
  }

  /** Adds events (any order); duplicates (history and live overlap) are ignored. */
  add(events: readonly WireEvent[]): void {
    let added = false;
    for (const event of events) {
      if (this.ids.has(event.id)) continue;
      this.ids.add(event.id);
      this.events.push(event);
      added = true;
    }
    if (!added) return;
    this.events.sort((a, b) => eventTime(b) - eventTime(a));
    for (const dropped of this.events.splice(MAX_EVENTS)) this.ids.delete(dropped.id);
    this.refreshOptions(
      this.labelFilter,
      this.events.map((e) => e.label),
      'all labels',
    );
    this.render();
  }

  setCameras(ids: readonly string[]): void {
    this.refreshOptions(this.cameraFilter, [...ids, ...this.events.map((e) => e.camera)], 'all cameras');
  }

  get size(): number {
    return this.events.length;
  }

  private render(): void {
    const camera = this.cameraFilter.value;
    const label = this.labelFilter.value;
    const shown = this.events.filter(
      (e) => (camera === '' || e.camera === camera) && (label === '' || e.label === label),
    );
    this.list.replaceChildren(
      ...shown.map((e) => {
        const item = h(
          'li',
          { class: `event ${e.type === 'action.started' ? 'started' : 'ended'}`, 'data-id': e.id },
          h('time', {}, clockTime(eventTime(e))),
          h('span', { class: 'camera' }, e.camera),
          h('span', { class: 'label' }, e.label),
          h('span', { class: 'kind' }, e.type === 'action.started' ? 'started' : 'ended'),
          h('span', { class: 'score' }, percent(e.score)),
        );
        item.classList.toggle('selected', e.id === this.selected);
        item.addEventListener('click', () => this.show(e));
        return item;
      }),
    );
    if (shown.length === 0) this.list.append(h('li', { class: 'none' }, 'no events yet'));
  }

  private show(e: WireEvent): void {
    this.selected = e.id;
    this.render();
    this.detail.replaceChildren(
      h('h3', {}, `${e.label} on ${e.camera}`),
      h(
        'dl',
        {},
        h('dt', {}, 'event'),
        h('dd', {}, `${e.type}${e.endReason === undefined ? '' : ` (${e.endReason})`}`),
        h('dt', {}, 'episode'),
        h('dd', {}, e.episodeId),
        h('dt', {}, 'started'),
        h('dd', {}, e.startedAt),
        h('dt', {}, 'ended'),
        h('dd', {}, e.endedAt ?? 'open'),
        h('dt', {}, 'score / peak'),
        h('dd', {}, `${percent(e.score)} / ${percent(e.peakScore)}`),
        h('dt', {}, 'window'),
        h('dd', {}, `${e.window.startMs}–${e.window.endMs} ms of the stream, ${e.window.numSeg} segments`),
      ),
      h(
        'table',
        { class: 'topk' },
        h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'label'), h('th', {}, 'score'))),
        h(
          'tbody',
          {},
          ...e.top.map((t, i) =>
            h('tr', {}, h('td', {}, String(i + 1)), h('td', {}, t.label), h('td', {}, percent(t.score))),
          ),
        ),
      ),
    );
    this.detail.hidden = false;
  }

  private refreshOptions(select: HTMLSelectElement, values: readonly string[], allText: string): void {
    const wanted = [...new Set(values)].sort();
    const current = [...select.options].slice(1).map((o) => o.value);
    if (wanted.join('\n') === current.join('\n')) return;
    const value = select.value;
    select.replaceChildren(
      h('option', { value: '' }, allText),
      ...wanted.map((v) => h('option', { value: v }, v)),
    );
    select.value = wanted.includes(value) ? value : '';
  }
}

function eventTime(e: WireEvent): number {
  return e.type === 'action.ended' && e.endedAtMs !== null ? e.endedAtMs : e.startedAtMs;
}
