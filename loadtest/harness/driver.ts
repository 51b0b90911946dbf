import * as http from "http";
import { diurnalCurve, EventGenerator, eventRateAt, RunProfile } from "../profile/load-profile";
import { Timeline, TimelinePoint } from "./timeline";

export interface DriverOptions {
  /** Gateway base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly run: RunProfile;
  readonly generator: EventGenerator;
  /** Requests in flight at most; further batches wait in a client-side backlog (still counted as offered). */
  readonly maxConcurrency?: number;
  /** Attempts after the first for a batch that got 429, 503 or a network error. */
  readonly maxRetries?: number;
  /**
   * Prepared request bodies instead of generating events live (benchmarks use
   * this so the driver's own CPU does not compete with the gateway's).
   * @default bodies from `generator`
   */
  readonly prepared?: () => { readonly ids: string[]; readonly body: string };
  /** Called with a progress line (totals, current rate, p99 so far, 429s) every `progressEveryMs`. */
  readonly progress?: (line: string) => void;
  /** @default 10_000 */
  readonly progressEveryMs?: number;
  /**
   * Record into this timeline instead of a fresh one started with the load
   * (a benchmark charts all its phases on one). `DriverResult.timeline` is then
   * its points from its own start.
   */
  readonly timeline?: Timeline;
}

export interface DriverResult {
  readonly durationSeconds: number;
  readonly offeredEvents: number;
  /** Event ids in a 202 response: Kafka acknowledged them. */
  readonly acknowledged: Set<string>;
  /** Responses by status ("error" for network failures), every attempt counted. */
  readonly statuses: Record<string, number>;
  readonly retries: number;
  /**
   * Event ids the client sent again after a 503 or a network error: the first
   * attempt may have reached Kafka all the same, so a second copy of these is
   * explained (at-least-once from the client); any other duplicate is not.
   */
  readonly resent: Set<string>;
  /** Events of batches that were still refused after all retries. */
  readonly gaveUpEvents: number;
  /** Request latency of 202 responses, ms. */
  readonly ingestLatencyMs: number[];
  readonly maxBacklog: number;
  /** Per second: events offered and acknowledged, 429s, other refusals, p50/p99 of the 202s. */
  readonly timeline: TimelinePoint[];
}

interface Job {
  readonly ids: string[];
  readonly body: string;
  /** Events in the body (`ids` is empty for prepared bodies). */
  readonly events: number;
  readonly attempt: number;
}

const TICK_MS = 20;

/**
 * Open-loop load: events are generated on the profile's schedule whatever the
 * gateway's speed, batched, and POSTed; 429 and 503 are retried after
 * Retry-After with the same event ids, as a well-behaved client would.
 */
export async function driveLoad(opts: DriverOptions): Promise<DriverResult> {
  const maxConcurrency = opts.maxConcurrency ?? 128;
  const maxRetries = opts.maxRetries ?? 8;
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxConcurrency });
  const target = new URL("/v1/events", opts.url);
  const curve = diurnalCurve(opts.run.peakFactor);
  const acknowledged = new Set<string>();
  const statuses: Record<string, number> = {};
  const ingestLatencyMs: number[] = [];
  const timeline = opts.timeline ?? new Timeline();
  const backlog: Job[] = [];
  let inflight = 0;
  let retries = 0;
  let gaveUpEvents = 0;
  let offered = 0;
  let maxBacklog = 0;
  let scheduledRetries = 0;

  const count = (key: string) => (statuses[key] = (statuses[key] ?? 0) + 1);

  const pump = () => {
    while (inflight < maxConcurrency && backlog.length) post(backlog.shift()!);
  };

  const resent = new Set<string>();
  const retryLater = (job: Job, afterSeconds: number, mayHaveLanded: boolean) => {
    if (mayHaveLanded) for (const id of job.ids) resent.add(id);
    if (job.attempt >= maxRetries) {
      gaveUpEvents += job.ids.length;
      return;
    }
    retries++;
    scheduledRetries++;
    const delay = Math.min(2000, afterSeconds * 1000) * (0.5 + Math.random() / 2);
    setTimeout(() => {
      scheduledRetries--;
      backlog.push({ ...job, attempt: job.attempt + 1 });
      pump();
    }, delay);
  };

  const post = (job: Job) => {
    inflight++;
    const started = process.hrtime.bigint();
    const req = http.request(
      target,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(job.body) } },
      (res) => {
        res.resume();
        res.on("end", () => {
          inflight--;
          const status = res.statusCode ?? 0;
          const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
          count(String(status));
          if (status === 202) {
            ingestLatencyMs.push(latencyMs);
            timeline.accepted(job.events, latencyMs);
            for (const id of job.ids) acknowledged.add(id);
          } else timeline.refused(String(status), latencyMs);
          if (status === 429 || status === 503) {
            // 429: refused before producing (admission control); 503: produce failed or timed out, may have landed.
            retryLater(job, Number(res.headers["retry-after"] ?? 1), status === 503);
          }
          pump();
        });
      },
    );
    req.on("error", () => {
      inflight--;
      count("error");
      timeline.refused("error", Number(process.hrtime.bigint() - started) / 1e6);
      retryLater(job, 1, true);
      pump();
    });
    req.end(job.body);
  };

  const enqueue = (n: number) => {
    offered += n;
    timeline.offered(n);
    if (opts.prepared && n === opts.run.batchSize) {
      backlog.push({ ...opts.prepared(), events: n, attempt: 0 });
    } else {
      const events = opts.generator.batch(n, Date.now());
      backlog.push({ ids: events.map((e) => e.eventId), body: JSON.stringify(events), events: n, attempt: 0 });
    }
    maxBacklog = Math.max(maxBacklog, backlog.length);
    pump();
  };

  const start = performance.now();
  const stopProgress = opts.progress ? timeline.startProgress(opts.progress, opts.progressEveryMs) : () => undefined;
  let last = 0;
  let due = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, TICK_MS));
    const t = Math.min(opts.run.durationSeconds, (performance.now() - start) / 1000);
    due += eventRateAt((last + t) / 2, opts.run, curve) * (t - last);
    last = t;
    while (due >= opts.run.batchSize) {
      enqueue(opts.run.batchSize);
      due -= opts.run.batchSize;
    }
    if (t >= opts.run.durationSeconds) break;
  }
  if (Math.floor(due) > 0) enqueue(Math.floor(due));
  const durationSeconds = (performance.now() - start) / 1000;
  // Let in-flight requests and scheduled retries finish (bounded: at most maxRetries x 2 s each).
  const deadline = Date.now() + 60_000;
  while ((inflight > 0 || backlog.length > 0 || scheduledRetries > 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  agent.destroy();
  stopProgress();
  return {
    durationSeconds,
    offeredEvents: offered,
    acknowledged,
    statuses,
    retries,
    resent,
    gaveUpEvents,
    ingestLatencyMs,
    maxBacklog,
    timeline: timeline.points(),
  };
}
