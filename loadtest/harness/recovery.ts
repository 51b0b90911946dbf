/**
 * Consumer recovery after a fault, from what the live verifier read: how long
 * the consumer group was behind, and when it had caught up again.
 *
 * "Behind" means its oldest acknowledged-but-unread event was more than
 * `thresholdMs` old. Each batch read at `readAt` whose oldest event was sent
 * at `sentAt` proves the group was behind over (sentAt + threshold, readAt);
 * the union of those spans is when it was behind. Partitions stalled on a dead
 * broker show up here even while other partitions keep being read (a gap
 * between reads would not show them).
 */

/** Behind by more than this counts as not caught up: above this machine's end-to-end p95 at the 3x peak with no fault (~3 s). */
export const BEHIND_THRESHOLD_MS = 3_000;
/** Issue 11's target: the consumer group reading (caught up) again within 10 s of the fault. */
export const RECOVERY_TARGET_MS = 10_000;

export interface Span {
  readonly fromMs: number;
  readonly toMs: number;
}

/** Collects, batch by batch, the spans when the consumer was behind (merged, in time order). */
export class BehindSpans {
  private readonly merged: { fromMs: number; toMs: number }[] = [];

  constructor(readonly thresholdMs = BEHIND_THRESHOLD_MS) {}

  /** A batch read at `readAtMs` whose oldest event was sent at `oldestSentAtMs`. */
  record(oldestSentAtMs: number, readAtMs: number): void {
    const from = oldestSentAtMs + this.thresholdMs;
    if (!(readAtMs > from)) return;
    // Batches arrive in read order, so a new span can only overlap the last few.
    let i = this.merged.length;
    while (i > 0 && this.merged[i - 1].toMs >= from) i--;
    if (i === this.merged.length) {
      this.merged.push({ fromMs: from, toMs: readAtMs });
      return;
    }
    const fromMs = Math.min(from, this.merged[i].fromMs);
    const toMs = Math.max(readAtMs, this.merged[this.merged.length - 1].toMs);
    this.merged.splice(i, this.merged.length - i, { fromMs, toMs });
  }

  get spans(): readonly Span[] {
    return this.merged;
  }
}

export interface ConsumerRecovery {
  /** What happened, e.g. "broker 2 failed over". */
  readonly fault: string;
  /** Seconds into the load. */
  readonly faultAtSecond: number;
  /** Seconds from the fault to the first read after it (kafkajs may go on reading partitions of healthy brokers). */
  readonly firstReadAfterSeconds?: number;
  /** Seconds from the fault until the group was no longer behind; undefined: still behind when the verifier stopped. */
  readonly caughtUpAfterSeconds?: number;
  /** When it was behind after the fault (seconds into the load), if it was. */
  readonly behindFromSecond?: number;
  readonly behindToSecond?: number;
  readonly thresholdSeconds: number;
  readonly targetSeconds: number;
  readonly pass: boolean;
}

/**
 * Recovery from a fault at `faultAtMs`: caught up at the end of the last
 * behind-span that overlaps [faultAtMs, windowEndMs) (the window ends at the
 * heal, so the heal's own disruption counts apart). `stillBehind`: the verifier
 * stopped with acknowledged events unread, so it never caught up.
 */
export function consumerRecovery(a: {
  readonly fault: string;
  readonly faultAtMs: number;
  readonly windowEndMs: number;
  readonly loadStartMs: number;
  readonly spans: readonly Span[];
  readonly readTimes: readonly number[];
  readonly stillBehind?: boolean;
  readonly thresholdMs?: number;
  readonly targetMs?: number;
}): ConsumerRecovery {
  const thresholdMs = a.thresholdMs ?? BEHIND_THRESHOLD_MS;
  const targetMs = a.targetMs ?? RECOVERY_TARGET_MS;
  const sec = (ms: number) => Number((ms / 1000).toFixed(1));
  let firstRead: number | undefined;
  for (const t of a.readTimes) if (t > a.faultAtMs && (firstRead === undefined || t < firstRead)) firstRead = t;
  const hit = a.spans.filter((s) => s.toMs > a.faultAtMs && s.fromMs < a.windowEndMs);
  const behindFrom = hit.length ? Math.max(a.faultAtMs, Math.min(...hit.map((s) => s.fromMs))) : undefined;
  const behindTo = hit.length ? Math.max(...hit.map((s) => s.toMs)) : undefined;
  const caughtUpMs = a.stillBehind ? undefined : (behindTo ?? a.faultAtMs) - a.faultAtMs;
  return {
    fault: a.fault,
    faultAtSecond: sec(a.faultAtMs - a.loadStartMs),
    firstReadAfterSeconds: firstRead === undefined ? undefined : sec(firstRead - a.faultAtMs),
    caughtUpAfterSeconds: caughtUpMs === undefined ? undefined : sec(caughtUpMs),
    behindFromSecond: behindFrom === undefined ? undefined : sec(behindFrom - a.loadStartMs),
    behindToSecond: behindTo === undefined ? undefined : sec(behindTo - a.loadStartMs),
    thresholdSeconds: sec(thresholdMs),
    targetSeconds: sec(targetMs),
    pass: caughtUpMs !== undefined && caughtUpMs <= targetMs,
  };
}

/** "consumer recovery after <fault>: X s (target 10 s: PASS)", with what it measured. */
export function formatRecovery(r: ConsumerRecovery): string {
  const verdict = `(target ${r.targetSeconds} s: ${r.pass ? "PASS" : "MISSED"})`;
  const head = `consumer recovery after ${r.fault} at ${r.faultAtSecond} s`;
  if (r.caughtUpAfterSeconds === undefined)
    return `${head}: not caught up when the verifier stopped waiting ${verdict}; behind (oldest unread event > ${r.thresholdSeconds} s old) from ${r.behindFromSecond ?? r.faultAtSecond} s`;
  const first = r.firstReadAfterSeconds === undefined ? "no read after it" : `first read ${r.firstReadAfterSeconds} s after it`;
  if (r.behindFromSecond === undefined)
    return `${head}: ${r.caughtUpAfterSeconds} s ${verdict}: never more than ${r.thresholdSeconds} s behind; ${first}`;
  return `${head}: ${r.caughtUpAfterSeconds} s ${verdict}: behind (oldest unread event > ${r.thresholdSeconds} s old) from ${r.behindFromSecond} s to ${r.behindToSecond} s, caught up then; ${first}`;
}

/**
 * The end-to-end latency figure in words: the longest span the consumer was
 * behind during the load, and which fault (if any) it followed.
 */
export function explainEndToEnd(a: {
  readonly p95Ms: number;
  readonly spans: readonly Span[];
  readonly loadStartMs: number;
  readonly loadEndMs: number;
  readonly faults: readonly { readonly what: string; readonly atMs: number }[];
  readonly thresholdMs?: number;
}): string {
  const thresholdMs = a.thresholdMs ?? BEHIND_THRESHOLD_MS;
  const sec = (ms: number) => ((ms - a.loadStartMs) / 1000).toFixed(1);
  const inLoad = a.spans.filter((s) => s.toMs > a.loadStartMs && s.fromMs < a.loadEndMs);
  const head = `end-to-end p95 ${a.p95Ms.toFixed(0)} ms`;
  if (inLoad.length === 0)
    return `${head}: the live consumer was never more than ${thresholdMs / 1000} s behind during the load, so this is the ingest path's own latency (gateway batching, produce, fetch)`;
  const longest = inLoad.reduce((x, y) => (y.toMs - y.fromMs > x.toMs - x.fromMs ? y : x));
  const lenS = ((longest.toMs - longest.fromMs) / 1000).toFixed(1);
  const stalledAt = longest.fromMs - thresholdMs;
  const cause = [...a.faults].filter((f) => f.atMs <= longest.fromMs).sort((x, y) => y.atMs - x.atMs)[0];
  const after = cause ? ` after ${cause.what} at ${sec(cause.atMs)} s` : "";
  return (
    `${head}: events sent from ${sec(stalledAt)} s waited for the consumer, which fell behind${after} and read them only by ` +
    `${sec(longest.toMs)} s (more than ${thresholdMs / 1000} s behind for ${lenS} s${inLoad.length > 1 ? `; ${inLoad.length} such spans in all` : ""})`
  );
}
