// The most recent action events for GET /v1/events/recent: a fixed-size ring, oldest overwritten.
import type { RecentEvents, RecentEventsQuery } from '../api/index.js';
import type { ActionEvent } from '../domain/index.js';

export class RecentEventRing implements RecentEvents {
  private readonly slots: (ActionEvent | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<ActionEvent | undefined>(capacity);
  }

  push(event: ActionEvent): void {
    this.slots[this.next] = event;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  recent(query: RecentEventsQuery): ActionEvent[] {
    const out: ActionEvent[] = [];
    for (let i = 1; i <= this.count && out.length < query.limit; i++) {
      const event = this.slots[(this.next - i + this.capacity) % this.capacity];
      if (event !== undefined && matches(event, query)) out.push(event);
    }
    return out;
  }
}

function matches(event: ActionEvent, q: RecentEventsQuery): boolean {
  return (
    (q.camera === undefined || event.camera === q.camera) &&
    (q.label === undefined || event.label === q.label) &&
    (q.type === undefined || event.type === q.type)
  );
}
