// Episodes an edge leaves open when it dies: every owner records its cameras' open episodes in a KV bucket
// (key = camera id); the next owner of a camera reads the record on start and, when another instance left
// episodes open there, ends them with reason 'handover' itself. So a consumer sees every action.started
// matched by an action.ended, even across a SIGKILL. The bookkeeping is pure (openAfter, endLeftOpen);
// EpisodeLedger is its thin KV shell.
import type { KV } from 'nats';
import type { ActionEvent } from '../domain/index.js';

export interface EpisodeRecord {
  readonly instance: string;
  /** The action.started event of each episode still open. */
  readonly open: readonly ActionEvent[];
}

/** The open episodes after one more event of the camera. */
export function openAfter(open: readonly ActionEvent[], event: ActionEvent): ActionEvent[] {
  if (event.type === 'action.started') return [...open.filter((e) => e.episodeId !== event.episodeId), event];
  return open.filter((e) => e.episodeId !== event.episodeId);
}

/** action.ended (reason handover) for each episode another instance left open; none for our own record. */
export function endLeftOpen(
  record: EpisodeRecord | undefined,
  self: string,
  nowMs: number,
  newId: () => string,
): ActionEvent[] {
  if (record === undefined || record.instance === self) return [];
  return record.open.map((started) => ({
    ...started,
    id: newId(),
    type: 'action.ended' as const,
    endedAt: new Date(nowMs).toISOString(),
    endedAtMs: nowMs,
    endReason: 'handover' as const,
    instance: self,
  }));
}

export interface EpisodeLedgerDeps {
  readonly kv: KV;
  readonly self: string;
  readonly now: () => number;
  readonly newId: () => string;
  /** Publishes an action.ended this instance makes for a predecessor's episode. */
  readonly publish: (event: ActionEvent) => void;
  readonly onError: (error: unknown, where: string) => void;
}

export class EpisodeLedger {
  private readonly open = new Map<string, ActionEvent[]>();
  /** One write at a time per camera, in event order. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly deps: EpisodeLedgerDeps) {}

  /** Every event this instance publishes. */
  note(event: ActionEvent): void {
    this.open.set(event.camera, openAfter(this.open.get(event.camera) ?? [], event));
    this.write(event.camera);
  }

  /** A camera this instance just started: end what a previous owner left open, then own the record. */
  async adopt(cameraId: string): Promise<void> {
    try {
      const entry = await this.deps.kv.get(cameraId);
      const record = entry === null || entry.operation !== 'PUT' ? undefined : parseRecord(entry.value);
      const ended = endLeftOpen(record, this.deps.self, this.deps.now(), this.deps.newId);
      for (const event of ended) this.deps.publish(event);
      if (ended.length > 0 || record?.instance !== this.deps.self) this.write(cameraId);
    } catch (error) {
      this.deps.onError(error, `cluster:episodes:${cameraId}`);
    }
  }

  /** Resolves once every write issued so far is done. */
  async flushed(): Promise<void> {
    await Promise.all(this.writes.values());
  }

  private write(cameraId: string): void {
    const previous = this.writes.get(cameraId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const record: EpisodeRecord = { instance: this.deps.self, open: this.open.get(cameraId) ?? [] };
      try {
        await this.deps.kv.put(cameraId, JSON.stringify(record));
      } catch (error) {
        this.deps.onError(error, `cluster:episodes:${cameraId}`);
      }
    });
    this.writes.set(cameraId, next);
    void next.then(() => {
      if (this.writes.get(cameraId) === next) this.writes.delete(cameraId);
    });
  }
}

function parseRecord(bytes: Uint8Array): EpisodeRecord | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<EpisodeRecord>;
    return typeof value.instance === 'string' && Array.isArray(value.open)
      ? (value as EpisodeRecord)
      : undefined;
  } catch {
    return undefined;
  }
}
