// The NATS connection and its status. nats.js reconnects an established connection by itself (forever:
// maxReconnectAttempts -1, auth errors do not abort); this class turns its status iterator into a
// NatsConnectionState and into up/down calls. The one thing nats.js cannot do without blocking close() is the
// first connection, so that is retried here: a loop that runs only while no connection object exists.
import { Events, type ConnectionOptions, type NatsConnection, type Status } from 'nats';
import type { PublishLogger } from '../logger.js';
import type { CancellableDelays } from './support.js';
import { errorText, withTimeout } from './support.js';
import type { NatsConnectionState } from './types.js';

export interface LinkHandlers {
  /** Connected (first time or after a nats.js reconnect); `signal` aborts when this connected period ends. */
  up(connection: NatsConnection, signal: AbortSignal): void;
  /** The connection dropped; nats.js is reconnecting. */
  down(): void;
}

export interface NatsLinkOptions {
  readonly connect: (options: ConnectionOptions) => Promise<NatsConnection>;
  readonly connectOptions: ConnectionOptions;
  /** Pause between failed first-connection attempts. */
  readonly retryDelayMs: number;
  readonly delays: CancellableDelays;
  readonly now: () => number;
  readonly logger: PublishLogger;
  readonly handlers: LinkHandlers;
}

/** Failed first attempts are logged on the first and then every this many. */
const LOG_EVERY_ATTEMPTS = 30;

export class NatsLink {
  private current: NatsConnection | undefined;
  private period: AbortController | undefined;
  private closing = false;
  private status: NatsConnectionState = { state: 'connecting', attempt: 0 };

  constructor(private readonly options: NatsLinkOptions) {}

  start(): void {
    // Fire-and-forget loop: a bug in it must be logged, not become an unhandled rejection.
    void this.run().catch((error: unknown) =>
      this.options.logger.error({ err: errorText(error) }, 'NATS link stopped on an unexpected error'),
    );
  }

  get state(): NatsConnectionState {
    return this.status;
  }

  /** The connection while connected, else undefined. */
  get connection(): NatsConnection | undefined {
    return this.status.state === 'connected' ? this.current : undefined;
  }

  /** Stops trying; drains a live connection (bounded by drainTimeoutMs), then closes it. */
  async close(drainTimeoutMs: number): Promise<void> {
    const live = this.connection;
    const conn = this.current;
    this.closing = true;
    this.options.delays.close();
    this.endPeriod();
    this.status = { state: 'closed' };
    if (conn === undefined || conn.isClosed()) return;
    // drain() waits for the server; with the server gone it would wait forever.
    if (live !== undefined) await withTimeout(live.drain(), drainTimeoutMs).catch(() => undefined);
    if (!conn.isClosed()) await conn.close();
  }

  private async run(): Promise<void> {
    while (!this.closing) {
      const conn = await this.connectFirst();
      if (conn === undefined) return;
      this.current = conn;
      this.options.logger.info({ server: conn.getServer() }, 'NATS connected');
      this.markUp(conn);
      const watching = this.watch(conn.status());
      const error = await conn.closed();
      await watching;
      this.current = undefined;
      if (this.closing) return;
      // Not expected with the options above; should nats.js still give up, start over rather than go silent.
      this.endPeriod();
      this.status = { state: 'connecting', attempt: 0 };
      this.options.handlers.down();
      this.options.logger.error(
        { err: error === undefined ? undefined : errorText(error) },
        'NATS connection closed; connecting again',
      );
    }
  }

  private async connectFirst(): Promise<NatsConnection | undefined> {
    for (let attempt = 1; !this.closing; attempt += 1) {
      try {
        const conn = await this.options.connect(this.options.connectOptions);
        if (!this.closing) return conn;
        await conn.close();
        return undefined;
      } catch (error) {
        if (this.closing) return undefined;
        this.status = { state: 'connecting', attempt, lastError: errorText(error) };
        if (attempt === 1 || attempt % LOG_EVERY_ATTEMPTS === 0) {
          this.options.logger.warn({ err: errorText(error), attempt }, 'NATS not reachable yet; retrying');
        }
        await this.options.delays.wait(this.options.retryDelayMs);
      }
    }
    return undefined;
  }

  private async watch(statuses: AsyncIterable<Status>): Promise<void> {
    for await (const s of statuses) {
      if (this.closing) continue;
      if (s.type === Events.Disconnect) {
        this.endPeriod();
        this.status = { state: 'disconnected', sinceMs: this.options.now() };
        this.options.handlers.down();
        this.options.logger.warn({ server: String(s.data) }, 'NATS disconnected; buffering until it is back');
      } else if (s.type === Events.Reconnect && this.current !== undefined) {
        this.options.logger.info({ server: String(s.data) }, 'NATS reconnected');
        this.markUp(this.current);
      } else if (s.type === Events.Error) {
        this.options.logger.warn({ err: String(s.data) }, 'NATS connection error');
      }
    }
  }

  private markUp(conn: NatsConnection): void {
    this.endPeriod();
    const period = new AbortController();
    this.period = period;
    this.status = { state: 'connected', server: conn.getServer() };
    // Retries waiting on the old connection go again at once.
    this.options.delays.wakeAll();
    this.options.handlers.up(conn, period.signal);
  }

  private endPeriod(): void {
    this.period?.abort();
    this.period = undefined;
  }
}
