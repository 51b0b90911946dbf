import * as http from "http";
import { diurnalCurve, EventGenerator, eventRateAt, RunProfile } from "../profile/load-profile";

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
  const backlog: { ids: string[]; body: string; attempt: number }[] = [];
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
  const retryLater = (job: { ids: string[]; body: string; attempt: number }, afterSeconds: number, mayHaveLanded: boolean) => {
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

  const post = (job: { ids: string[]; body: string; attempt: number }) => {
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
          count(String(status));
          if (status === 202) {
            ingestLatencyMs.push(Number(process.hrtime.bigint() - started) / 1e6);
            for (const id of job.ids) acknowledged.add(id);
          } else if (status === 429 || status === 503) {
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
      retryLater(job, 1, true);
      pump();
    });
    req.end(job.body);
  };

  const enqueue = (n: number) => {
    offered += n;
    if (opts.prepared && n === opts.run.batchSize) {
      backlog.push({ ...opts.prepared(), attempt: 0 });
    } else {
      const events = opts.generator.batch(n, Date.now());
      backlog.push({ ids: events.map((e) => e.eventId), body: JSON.stringify(events), attempt: 0 });
    }
    maxBacklog = Math.max(maxBacklog, backlog.length);
    pump();
  };

  const start = performance.now();
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
  return { durationSeconds, offeredEvents: offered, acknowledged, statuses, retries, resent, gaveUpEvents, ingestLatencyMs, maxBacklog };
}
