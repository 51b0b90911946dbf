/**
 * npm run bench:overload [-- --flood-seconds 60] [--flood-factor 5] [--batch 1000] [--cluster real|mock]
 *                           [--env prod] [--strict] [--gateway-entry <other build's main.js>]
 *                           [--gateway-node-options "<flags>"]
 *
 * The ingest gateway under overload, in one run on this machine, against the
 * local platform's real Kafka brokers (3 KRaft controllers, 3 brokers, the
 * dev topics; idempotent producer as deployed) or, with `--cluster mock`,
 * librdkafka's mock cluster (no audit there: the mock keeps at most 5 MB or
 * 100,000 messages per partition and drops older ones, so a flood's worth
 * cannot be read back):
 *  1. capacity: closed-loop clients (1, 2, 4, ... 32 in flight, 4 s each)
 *     POST batches; the capacity is the highest acknowledged events/s of the
 *     sweep (the knee: more clients stop adding throughput);
 *  2. baseline: 1x capacity, open loop, for 10 s (the "normal" latency);
 *  3. flood: ~5x capacity, open loop, from up to 700 concurrent connections
 *     for 60 s; each arrival is a fresh batch and a 429 is not retried, so the
 *     offered load stays 5x;
 *  4. recovery: back to 1x for 20 s;
 *  5. audit (real brokers): a fresh consumer group reads every topic from the
 *     beginning and finds every acknowledged event.
 * The gateway runs as its own process with the environment's deployed limits
 * (memory budget and heap from domain/ingest-gateway-sizing.ts), so its peak
 * RSS (VmHWM) is its own. Prints each figure with PASS or MISSED against its
 * target; exits 1 on a MISSED target only with --strict (always on loss).
 * A local figure on a shared 2-core machine, never a cloud figure.
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { monitorEventLoopDelay } from "perf_hooks";
import { environmentNamed } from "../config";
import { gatewaySizing } from "../domain/ingest-gateway-sizing";
import { TOPIC_CATALOG } from "../domain/event-catalog";
import { processPeakRssMiB, startGateway, RunningGateway } from "../local/gateway-process";
import { MockKafkaCluster } from "../local/mock-cluster";
import { LocalPlatform } from "../local/platform";
import { percentile } from "../loadtest/harness/stats";
import { Timeline } from "../loadtest/harness/timeline";
import { ChartMarker, renderTimelineSvg } from "../loadtest/report/chart";
import { reportVerdicts, Target } from "./verdicts";
import { auditAcknowledged, AuditResult, describeCompleteness } from "../loadtest/harness/audit";
import { DEFAULT_GENERATOR, EventGenerator } from "../loadtest/profile/load-profile";

interface Options {
  readonly floodSeconds: number;
  readonly floodFactor: number;
  readonly batch: number;
  readonly cluster: "mock" | "real";
  readonly env: string;
  readonly strict: boolean;
  /** Another build's compiled gateway (dist/services/ingest-gateway/src/main.js), to compare against. */
  readonly gatewayEntry?: string;
  /** Extra Node flags for the gateway (profiling: --cpu-prof, --trace-gc). */
  readonly gatewayNodeOptions?: string;
}

export function parseOverloadArgs(argv: readonly string[]): Options {
  const known = new Set([
    "--flood-seconds",
    "--flood-factor",
    "--batch",
    "--cluster",
    "--env",
    "--strict",
    "--gateway-entry",
    "--gateway-node-options",
  ]);
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  for (let i = 0; i < argv.length; i++) {
    if (!known.has(argv[i])) throw new Error(`unknown option ${argv[i]}; known: ${[...known].join(", ")}`);
    if (argv[i] !== "--strict") i++;
  }
  const num = (flag: string, fallback: number, ok: (n: number) => boolean, allowed: string) => {
    const raw = value(flag);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!ok(n)) throw new Error(`${flag}: got ${JSON.stringify(raw)}, expected ${allowed}`);
    return n;
  };
  const cluster = value("--cluster") ?? "real";
  if (cluster !== "mock" && cluster !== "real") throw new Error(`--cluster: got ${JSON.stringify(cluster)}, expected mock or real`);
  return {
    floodSeconds: num("--flood-seconds", 60, (n) => n >= 5 && n <= 3600, "seconds from 5 to 3600"),
    floodFactor: num("--flood-factor", 5, (n) => n > 1 && n <= 20, "a factor above 1, at most 20"),
    batch: num("--batch", 1000, (n) => Number.isInteger(n) && n >= 1 && n <= 1000, "a whole number from 1 to 1000"),
    cluster,
    env: value("--env") ?? "prod",
    strict: argv.includes("--strict"),
    gatewayEntry: value("--gateway-entry"),
    gatewayNodeOptions: value("--gateway-node-options"),
  };
}

/** One answered request. `at`: when the answer arrived, ms since the bench started. */
interface Sample {
  readonly phase: Phase;
  readonly at: number;
  readonly status: number;
  readonly latencyMs: number;
  readonly events: number;
}
type Phase = "capacity" | "baseline" | "flood" | "recovery";

/**
 * Request bodies with unique event ids, cheap to make: events from the load
 * profile's generator are serialized once, split at their id, and each body
 * joins them around fresh ids. A body refused with 429 was never written, so
 * it goes back to a pool and is sent again by a later arrival: the flood's
 * refused requests then cost the load generator nothing but the socket write,
 * and its CPU does not steal the gateway's on this 2-core machine.
 */
export class Bodies {
  private readonly templates: { head: string; tail: string }[];
  private readonly refused: { ids: string[]; body: Buffer }[] = [];
  private request = 0;
  private next = 0;
  made = 0;

  constructor(
    private readonly runId: string,
    private readonly batch: number,
  ) {
    const gen = new EventGenerator({ ...DEFAULT_GENERATOR, seed: 7, runId });
    const now = Date.now();
    this.templates = gen.batch(Math.max(2000, batch), now).map((e) => {
      const json = JSON.stringify(e);
      const at = json.indexOf(e.eventId);
      return { head: json.slice(0, at), tail: json.slice(at + e.eventId.length) };
    });
  }

  take(): { ids: string[]; body: Buffer } {
    const reused = this.refused.pop();
    if (reused) return reused;
    this.made++;
    const prefix = `${this.runId}-${(this.request++).toString(36)}-`;
    const ids: string[] = [];
    const parts: string[] = [];
    for (let i = 0; i < this.batch; i++) {
      const t = this.templates[this.next++ % this.templates.length];
      const id = `${prefix}${i}`;
      ids.push(id);
      parts.push(t.head + id + t.tail);
    }
    return { ids, body: Buffer.from(`[${parts.join(",")}]`) };
  }

  /** A body the gateway refused before reading it (429): its ids are still unused. */
  giveBack(b: { ids: string[]; body: Buffer }): void {
    this.refused.push(b);
  }
}

class Client {
  readonly samples: Sample[] = [];
  readonly acknowledged = new Set<string>();
  readonly timeline: Timeline;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 700 });
  private readonly target: URL;
  inflight = 0;
  maxInflight = 0;

  constructor(
    url: string,
    private readonly bodies: Bodies,
    private readonly t0: number,
  ) {
    this.target = new URL("/v1/events", url);
    this.timeline = new Timeline(t0);
  }

  post(phase: Phase): Promise<number> {
    const taken = this.bodies.take();
    const { ids, body } = taken;
    const started = performance.now();
    this.inflight++;
    this.maxInflight = Math.max(this.maxInflight, this.inflight);
    this.timeline.offered(ids.length);
    return new Promise((resolve) => {
      const done = (status: number) => {
        this.inflight--;
        const now = performance.now();
        this.samples.push({ phase, at: now - this.t0, status, latencyMs: now - started, events: ids.length });
        if (status === 202) this.timeline.accepted(ids.length, now - started);
        else this.timeline.refused(status === 0 ? "error" : String(status), now - started);
        if (status === 202) for (const id of ids) this.acknowledged.add(id);
        else if (status === 429) this.bodies.giveBack(taken);
        resolve(status);
      };
      const req = http.request(
        this.target,
        { method: "POST", agent: this.agent, headers: { "content-type": "application/json", "content-length": body.length } },
        (res) => {
          res.resume();
          res.on("end", () => done(res.statusCode ?? 0));
          res.on("error", () => done(0));
        },
      );
      req.on("error", () => done(0));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Closed loop: `concurrency` clients each post, wait for the answer, post again (after a pause when refused). */
async function closedLoop(client: Client, seconds: number, concurrency: number): Promise<{ eventsPerSec: number; p99Ms: number }> {
  const from = client.samples.length;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) if ((await client.post("capacity")) !== 202) await sleep(50);
    }),
  );
  const mine = client.samples.slice(from);
  const ok = mine.filter((s) => s.status === 202);
  const lat = ok.map((s) => s.latencyMs).sort((a, b) => a - b);
  return {
    eventsPerSec: ok.reduce((n, s) => n + s.events, 0) / ((performance.now() - start) / 1000),
    p99Ms: lat.length ? percentile(lat, 99) : NaN,
  };
}

/** Open loop: arrivals at `eventsPerSec`, evenly spaced, whatever the answers. */
async function openLoop(client: Client, phase: Phase, seconds: number, eventsPerSec: number, batch: number): Promise<void> {
  const requestsPerSec = eventsPerSec / batch;
  const start = performance.now();
  let sent = 0;
  const pending: Promise<number>[] = [];
  for (;;) {
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= seconds) break;
    const due = Math.floor(elapsed * requestsPerSec);
    while (sent < due) {
      pending.push(client.post(phase));
      sent++;
    }
    await sleep(5);
  }
  await Promise.all(pending);
}

/** /readyz every 500 ms: how the readiness probe fares while the gateway is busy. */
function watchReadiness(url: string): { stop(): { probes: number; failed: number; maxMs: number } } {
  let probes = 0;
  let failed = 0;
  let maxMs = 0;
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const t = performance.now();
      try {
        const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
        if (res.status !== 200) failed++;
      } catch {
        failed++; // the kubelet's default probe timeout is 1 s
      }
      probes++;
      maxMs = Math.max(maxMs, performance.now() - t);
      await sleep(500);
    }
  })();
  return {
    stop: () => {
      stopped = true;
      return { probes, failed, maxMs };
    },
  };
}

/**
 * The bucket bound under which quantile `q` of a Prometheus histogram's
 * observations between two scrapes fall (a bound, as histogram_quantile
 * would interpolate inside it).
 */
export function histogramQuantileBound(before: string, after: string, name: string, labels: string, q: number): number | undefined {
  const buckets = (text: string) =>
    new Map(
      text
        .split("\n")
        .filter((l) => l.startsWith(`${name}_bucket{`) && l.includes(labels))
        .map((l) => [/le="([^"]+)"/.exec(l)![1], Number(l.split(" ").pop())] as const),
    );
  const a = buckets(after);
  const b = buckets(before);
  const rows = [...a]
    .map(([le, n]) => ({ le: le === "+Inf" ? Infinity : Number(le), n: n - (b.get(le) ?? 0) }))
    .sort((x, y) => x.le - y.le);
  const total = rows.at(-1)?.n ?? 0;
  if (total === 0) return undefined;
  return rows.find((r) => r.n >= q * total)?.le;
}

/** Per-second windows of one phase's samples. */
function perSecond(
  samples: readonly Sample[],
  from: number,
  to: number,
): { second: number; p99: number; accepted: number; refused: number }[] {
  const out: { second: number; p99: number; accepted: number; refused: number }[] = [];
  for (let s = from; s < to; s += 1000) {
    const inWindow = samples.filter((x) => x.at >= s && x.at < s + 1000);
    const lat = inWindow
      .filter((x) => x.status === 202)
      .map((x) => x.latencyMs)
      .sort((a, b) => a - b);
    out.push({
      second: (s - from) / 1000,
      p99: lat.length ? percentile(lat, 99) : NaN,
      accepted: lat.length,
      refused: inWindow.filter((x) => x.status === 429).length,
    });
  }
  return out;
}

async function main(opts: Options): Promise<number> {
  const printed: string[] = [];
  const say = (m: string) => {
    printed.push(m);
    console.log(m);
  };
  const envCfg = environmentNamed(opts.env);
  const sizing = gatewaySizing(envCfg.ingest.resources.memoryMiB);
  const runId = `ov${Date.now().toString(36)}`;
  say(
    `bench:overload ${runId}: cluster ${opts.cluster}, batches of ${opts.batch}, flood ${opts.floodFactor}x for ${opts.floodSeconds} s; ` +
      `gateway sized as ${opts.env}: ${envCfg.ingest.resources.memoryMiB} MiB container, MAX_INFLIGHT_BYTES ${sizing.maxInflightBytes}, heap ${sizing.maxOldSpaceMiB} MiB`,
  );
  const mock = opts.cluster === "mock" ? await MockKafkaCluster.start(3) : undefined;
  const platform = mock ? undefined : await LocalPlatform.start({ gateway: false, monitoring: false, log: () => undefined });
  let gateway: RunningGateway | undefined;
  let client: Client | undefined;
  try {
    if (mock) for (const t of TOPIC_CATALOG) await mock.createTopic(t.name, t.partitions ?? 12, 3);
    const bootstrap = mock?.bootstrapServers ?? platform!.bootstrapServers;
    gateway = await startGateway(
      bootstrap,
      { KAFKA_IDEMPOTENCE: mock ? "off" : "on", ...sizing.env },
      { entry: opts.gatewayEntry, nodeArgs: opts.gatewayNodeOptions?.split(/\s+/).filter(Boolean) },
    );
    const t0 = performance.now();
    client = new Client(gateway.url, new Bodies(runId, opts.batch), t0);
    const stopProgress = client.timeline.startProgress(say);
    const markers: ChartMarker[] = [];
    const mark = (label: string) => markers.push({ second: (performance.now() - t0) / 1000, label });

    // 1. Capacity.
    const sweep: { concurrency: number; eventsPerSec: number; p99Ms: number; cpuCores?: number }[] = [];
    for (const concurrency of [1, 2, 4, 8, 16, 32]) {
      mark(`${concurrency} in flight`);
      const cpu0 = gateway.cpuSeconds();
      const w0 = performance.now();
      const r = await closedLoop(client, 4, concurrency);
      const cpu1 = gateway.cpuSeconds();
      const cpuCores = cpu0 !== undefined && cpu1 !== undefined ? (cpu1 - cpu0) / ((performance.now() - w0) / 1000) : undefined;
      sweep.push({ concurrency, ...r, cpuCores });
      say(
        `capacity: ${concurrency} in flight: ${Math.round(r.eventsPerSec).toLocaleString("en-US")} events/s acknowledged, p99 ${r.p99Ms.toFixed(0)} ms${cpuCores !== undefined ? `, gateway CPU ${cpuCores.toFixed(2)} cores` : ""}`,
      );
    }
    const knee = sweep.reduce((best, s) => (s.eventsPerSec > best.eventsPerSec ? s : best));
    const capacity = knee.eventsPerSec;
    say(`capacity: ${Math.round(capacity).toLocaleString("en-US")} events/s (at ${knee.concurrency} in flight)`);

    // 2-4. Baseline, flood, recovery.
    mark("1x capacity");
    await openLoop(client, "baseline", 10, capacity, opts.batch);
    const metricsBefore = await (await fetch(`${gateway.url}/metrics`)).text();
    // The load generator's own event-loop delay is part of every latency it measures: reported, not hidden.
    const ownDelay = monitorEventLoopDelay({ resolution: 5 });
    ownDelay.enable();
    const readiness = watchReadiness(gateway.url);
    const floodFrom = performance.now() - t0;
    say(`flood: ${Math.round(opts.floodFactor * capacity).toLocaleString("en-US")} events/s offered for ${opts.floodSeconds} s`);
    mark(`flood ${opts.floodFactor}x`);
    await openLoop(client, "flood", opts.floodSeconds, opts.floodFactor * capacity, opts.batch);
    mark("flood ends, back to 1x");
    const floodTo = performance.now() - t0;
    const probe = readiness.stop();
    const metricsAfter = await (await fetch(`${gateway.url}/metrics`)).text();
    ownDelay.disable();
    const gatewayLag = (q: string) => Number(new RegExp(`^nodejs_eventloop_lag_${q}_seconds (\\S+)$`, "m").exec(metricsAfter)?.[1] ?? NaN);
    const server429 = histogramQuantileBound(metricsBefore, metricsAfter, "ingest_request_duration_seconds", 'status="429"', 0.99);
    const server202 = histogramQuantileBound(metricsBefore, metricsAfter, "ingest_request_duration_seconds", 'status="202"', 0.99);
    await openLoop(client, "recovery", 20, capacity, opts.batch);
    const recoveryTo = performance.now() - t0;
    stopProgress();
    const peakRss = processPeakRssMiB(gateway.process.pid);

    // 5. Audit.
    let audit: AuditResult | undefined;
    if (!mock) {
      say(
        `auditing ${client.acknowledged.size.toLocaleString("en-US")} acknowledged events: a fresh consumer group reads every topic to its end offset`,
      );
      audit = await auditAcknowledged({
        bootstrap,
        topics: TOPIC_CATALOG.filter((t) => t.category).map((t) => t.name),
        groupId: `consumers.audit-${runId}`,
        acknowledged: client.acknowledged,
        timeoutMs: 900_000,
      });
      say(`audit: ${describeCompleteness(audit.completeness)}`);
    }
    const lost = audit?.lost;

    // Figures.
    const samples = client.samples;
    const baseline = samples.filter((s) => s.phase === "baseline" && s.status === 202).map((s) => s.latencyMs);
    const baselineP99 = percentile(
      baseline.sort((a, b) => a - b),
      99,
    );
    const flood = samples.filter((s) => s.phase === "flood");
    const floodAccepted = flood
      .filter((s) => s.status === 202)
      .map((s) => s.latencyMs)
      .sort((a, b) => a - b);
    const flood429 = flood
      .filter((s) => s.status === 429)
      .map((s) => s.latencyMs)
      .sort((a, b) => a - b);
    // Goodput by answer time within the flood's window, so requests accepted late in the flood still count.
    const ackedInFlood = samples.filter((s) => s.status === 202 && s.at >= floodFrom && s.at < floodTo).reduce((n, s) => n + s.events, 0);
    const goodput = ackedInFlood / ((floodTo - floodFrom) / 1000);
    const otherStatuses: Record<string, number> = {};
    for (const s of flood) if (s.status !== 202 && s.status !== 429) otherStatuses[s.status] = (otherStatuses[s.status] ?? 0) + 1;
    // Recovered: from this second on, three whole seconds in a row with accepted p99 within 1.5x of the baseline's.
    const normal = Math.max(1.5 * baselineP99, baselineP99 + 20);
    const windows = perSecond(samples, floodTo, recoveryTo);
    const back = windows.findIndex((_, i) => windows.slice(i, i + 3).length === 3 && windows.slice(i, i + 3).every((x) => x.p99 <= normal));
    const recoverySeconds = back < 0 ? Infinity : windows[back].second;
    const limitMiB = envCfg.ingest.resources.memoryMiB;

    const verdicts: Target[] = [
      {
        name: "goodput during the flood",
        target: ">= 90% of capacity",
        measured: `${((100 * goodput) / capacity).toFixed(1)}% (${Math.round(goodput).toLocaleString("en-US")} of ${Math.round(capacity).toLocaleString("en-US")} events/s)`,
        pass: goodput >= 0.9 * capacity,
      },
      {
        name: "p99 of accepted requests during the flood",
        target: "<= 250 ms",
        measured: floodAccepted.length ? `${percentile(floodAccepted, 99).toFixed(0)} ms (n=${floodAccepted.length})` : "none accepted",
        pass: floodAccepted.length > 0 && percentile(floodAccepted, 99) <= 250,
      },
      {
        name: "p99 of 429 answers",
        target: "<= 20 ms",
        measured: flood429.length ? `${percentile(flood429, 99).toFixed(1)} ms (n=${flood429.length})` : "no 429 answered",
        pass: flood429.length > 0 && percentile(flood429, 99) <= 20,
      },
      {
        name: "gateway peak RSS",
        target: `<= 60% of the ${limitMiB} MiB container limit (${(0.6 * limitMiB).toFixed(0)} MiB)`,
        measured:
          peakRss !== undefined ? `${peakRss.toFixed(0)} MiB (${((100 * peakRss) / limitMiB).toFixed(0)}%)` : "not measured (no /proc)",
        pass: peakRss !== undefined && peakRss <= 0.6 * limitMiB,
      },
      {
        name: "back to normal latency after the flood",
        target: "<= 5 s",
        measured: Number.isFinite(recoverySeconds)
          ? `${recoverySeconds} s (normal: p99 <= ${normal.toFixed(0)} ms, baseline p99 ${baselineP99.toFixed(0)} ms)`
          : `not within 20 s (normal: p99 <= ${normal.toFixed(0)} ms)`,
        pass: recoverySeconds <= 5,
      },
      {
        name: "acknowledged events lost (audit)",
        target: "0",
        measured: !audit
          ? "not checked: the mock cluster keeps at most 5 MB or 100,000 messages per partition (use --cluster real)"
          : audit.lost === undefined
            ? `not decided: the audit did not read every partition to its end (${audit.unread.toLocaleString("en-US")} acknowledged events unread)`
            : `${audit.lost} of ${client.acknowledged.size.toLocaleString("en-US")}`,
        pass: lost === 0,
      },
    ];
    say("");
    say(
      `flood: ${flood.length.toLocaleString("en-US")} requests, ${floodAccepted.length} accepted, ${flood429.length} answered 429, other: ${JSON.stringify(otherStatuses)}; up to ${client.maxInflight} requests open at once`,
    );
    say(
      `readiness during the flood: ${probe.probes} probes of /readyz, ${probe.failed} failed or over 1 s, slowest ${probe.maxMs.toFixed(0)} ms`,
    );
    say(
      `gateway's own view of the flood (first byte to answer, its histogram's bucket bound): 429 p99 <= ${server429 ?? "?"} s, 202 p99 <= ${server202 ?? "?"} s`,
    );
    say(
      `event-loop delay during the flood: gateway p99 ${(1000 * gatewayLag("p99")).toFixed(0)} ms, max ${(1000 * gatewayLag("max")).toFixed(0)} ms (prom-client, since the scrape before the flood); ` +
        `load generator p99 ${(ownDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(ownDelay.max / 1e6).toFixed(0)} ms`,
    );
    say(`gateway CPU at the knee: ${knee.cpuCores?.toFixed(2) ?? "?"} cores`);
    say("");
    const exitCode = reportVerdicts(verdicts, opts.strict ? ["--strict"] : [], say);

    const dir = path.join(process.cwd(), "bench", "results");
    fs.mkdirSync(dir, { recursive: true });
    const base = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}-overload-${opts.cluster}`);
    fs.writeFileSync(
      `${base}.json`,
      JSON.stringify(
        {
          machine: { cores: os.cpus().length, node: process.version },
          options: opts,
          sizing,
          sweep,
          capacity,
          baselineP99,
          goodput,
          readiness: probe,
          peakRssMiB: peakRss,
          recoverySeconds,
          lost,
          audit: audit?.completeness,
          verdicts,
          recoveryWindows: windows,
          timeline: client.timeline.points(),
        },
        null,
        2,
      ),
    );
    const svg = await renderTimelineSvg(client.timeline.points(), {
      title: `bench:overload, ${opts.cluster === "mock" ? "mock cluster" : "real brokers"}: capacity sweep, 1x, ${opts.floodFactor}x flood, 1x`,
      markers,
    });
    fs.writeFileSync(`${base}.svg`, svg);
    fs.writeFileSync(
      `${base}.md`,
      [
        "# bench:overload",
        "",
        `\`${["npm run bench:overload --", ...process.argv.slice(2)].join(" ")}\``,
        "",
        `![timeline](${path.basename(base)}.svg)`,
        "",
        "```",
        ...printed,
        "```",
        "",
      ].join("\n"),
    );
    say(`\nresults: ${base}.md, ${base}.svg, ${base}.json`);
    return lost !== undefined && lost > 0 ? 1 : exitCode;
  } finally {
    client?.close();
    await gateway?.stop();
    await mock?.stop();
    await platform?.stop();
  }
}

if (require.main === module) {
  let opts: Options;
  try {
    opts = parseOverloadArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  main(opts).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
