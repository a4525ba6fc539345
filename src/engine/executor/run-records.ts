import type { Db, Prisma } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import type { HttpExchangeRecord } from "../http/http-client";
import { maskJsonSecrets, scrubSecrets } from "../http/redact";
import type { ExchangeRow, LogRow } from "./record-writer";

type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

/** Past this many pending records a run writes them early, so a chatty run stays bounded in memory. */
const EARLY_FLUSH_AT = 500;
const MAX_LOG_MESSAGE = 4_000;
const MAX_LOG_DATA = 16 * 1024;

function safeJson(value: unknown, secrets: readonly string[]): Prisma.InputJsonValue | undefined {
  if (value === undefined) return undefined;
  try {
    let text = JSON.stringify(value);
    if (text === undefined) return undefined;
    // The connection's secrets by value, and anything under a credential-like key by name.
    text = maskJsonSecrets(scrubSecrets(text, secrets));
    if (text.length > MAX_LOG_DATA) return { truncated: true, preview: text.slice(0, 1024) };
    return JSON.parse(text) as Prisma.InputJsonValue;
  } catch {
    return { unserializable: true };
  }
}

/**
 * A run's log lines and HTTP exchanges, buffered: the hot path never waits on one INSERT per
 * record. They are written together with the run's final status (one transaction, so a
 * finished run always shows its records), or earlier in one batch when many pile up.
 */
export class RunRecords {
  private logs: Prisma.LogEntryCreateManyInput[] = [];
  private exchanges: Prisma.HttpExchangeCreateManyInput[] = [];
  private background: Promise<void> = Promise.resolve();
  private secrets: string[] = [];

  constructor(
    private readonly db: Db,
    private readonly base: { organizationId: string; executionId: string },
    private readonly logger: Logger,
  ) {}

  /** Values to scrub from every record (the run's decrypted credentials). */
  addSecrets(values: readonly string[]) {
    this.secrets.push(...values);
  }

  /** `text` with the run's secrets masked (error messages, anything bound for a record). */
  scrub(text: string): string {
    return scrubSecrets(text, this.secrets);
  }

  /** `value` (JSON) with the run's secrets masked; the same value when none appears. */
  scrubValue<T>(value: T): T {
    if (value === undefined || this.secrets.length === 0) return value;
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch {
      return value; // not JSON: the caller reports that itself
    }
    if (text === undefined) return value;
    const scrubbed = scrubSecrets(text, this.secrets);
    if (scrubbed === text) return value;
    try {
      return JSON.parse(scrubbed) as T;
    } catch {
      return "[masked]" as T;
    }
  }

  log(level: LogLevel, message: string, data: unknown, stepName: string | null) {
    const json = safeJson(data, this.secrets);
    this.logs.push({
      ...this.base,
      level,
      message: scrubSecrets(String(message), this.secrets).slice(0, MAX_LOG_MESSAGE),
      ...(json === undefined ? {} : { data: json }),
      stepName,
      at: new Date(),
    });
    this.maybeFlushEarly();
  }

  http(r: HttpExchangeRecord) {
    this.exchanges.push({
      ...this.base,
      stepName: r.stepName,
      method: r.method,
      url: r.url,
      status: r.status,
      requestHeaders: r.requestHeaders,
      requestBody: r.requestBody,
      responseHeaders: r.responseHeaders ?? undefined,
      responseBody: r.responseBody,
      error: r.error,
      durationMs: r.durationMs,
      startedAt: r.startedAt,
    });
    this.maybeFlushEarly();
  }

  private take(): Prisma.PrismaPromise<unknown>[] {
    const ops: Prisma.PrismaPromise<unknown>[] = [];
    if (this.logs.length) ops.push(this.db.logEntry.createMany({ data: this.logs }));
    if (this.exchanges.length) ops.push(this.db.httpExchange.createMany({ data: this.exchanges }));
    this.logs = [];
    this.exchanges = [];
    return ops;
  }

  private maybeFlushEarly() {
    if (this.logs.length + this.exchanges.length < EARLY_FLUSH_AT) return;
    const ops = this.take();
    this.background = this.background
      .then(() => this.db.$transaction(ops))
      .then(
        () => undefined,
        (err: unknown) => this.logger.warn({ err }, "could not write run records early; they are lost"),
      );
  }

  /** What is pending, as rows for the group-commit writer (record-writer.ts); taken, not written. */
  async takeRows(): Promise<{ logs: LogRow[]; exchanges: ExchangeRow[] }> {
    await this.background;
    const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
    const logs = this.logs.map((l) => ({
      organizationId: l.organizationId,
      executionId: l.executionId,
      level: l.level,
      message: l.message,
      data: json(l.data),
      stepName: l.stepName ?? null,
      at: l.at instanceof Date ? l.at : new Date(),
    }));
    const exchanges = this.exchanges.map((x) => ({
      organizationId: x.organizationId,
      executionId: x.executionId,
      stepName: x.stepName ?? null,
      method: x.method,
      url: x.url,
      status: x.status ?? null,
      requestHeaders: json(x.requestHeaders),
      requestBody: x.requestBody ?? null,
      responseHeaders: json(x.responseHeaders),
      responseBody: x.responseBody ?? null,
      error: x.error ?? null,
      durationMs: x.durationMs ?? null,
      startedAt: x.startedAt instanceof Date ? x.startedAt : new Date(),
    }));
    this.logs = [];
    this.exchanges = [];
    return { logs, exchanges };
  }

  /**
   * Writes what is pending in the same transaction as `final` (the run's status update).
   * Records are the support trail, the status is the ledger: if the records cannot be written
   * the status still is.
   */
  async commitWith(final: Prisma.PrismaPromise<unknown>[]): Promise<void> {
    await this.background;
    const ops = this.take();
    if (ops.length === 0) {
      await this.db.$transaction(final);
      return;
    }
    try {
      await this.db.$transaction([...ops, ...final]);
    } catch (err) {
      this.logger.warn({ err }, "could not write run records with the run's status; writing the status alone");
      await this.db.$transaction(final);
    }
  }
}
