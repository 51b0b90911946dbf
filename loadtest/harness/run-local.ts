/**
 * npm run loadtest:local -- [--minutes 2] [--events-per-day 300000000 | --rate 3472]
 *                           [--peak 3] [--batch 100] [--cluster real|mock]
 *                           [--drill broker-kill|controller-kill|rolling-restart|partition]   (real)
 *                           [--drill broker-failover] [--partitions 12]                         (mock)
 *
 * The whole ingest path on this machine: by default the local platform's real
 * Kafka (3 KRaft controllers, 3 brokers, the kit's broker and topic settings)
 * with the gateway's idempotent producer on as in production; `--cluster mock`
 * runs librdkafka's mock cluster instead (fast; faults real brokers cannot be
 * made to show). An open-loop HTTP load on the shared profile, a live verifier
 * consumer group, and an audit that reads every topic from the beginning.
 * Exits 1 if anything acknowledged was lost, if the audit could not read every partition to its end, or if an event was duplicated for
 * any reason but a client resend after a 503. A local result, never a cloud result.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TOPIC_CATALOG } from "../../domain/event-catalog";
import { DEFAULT_GENERATOR, EventGenerator, plannedEvents, RunProfile, SECONDS_PER_DAY } from "../profile/load-profile";
import { LocalPlatform } from "../../local/platform";
import { startDrill, REAL_DRILLS, RealDrill, RunningDrill, DrillReport } from "./drills";
import { driveLoad } from "./driver";
import { startGateway } from "../../local/gateway-process";
import { MockKafkaCluster } from "../../local/mock-cluster";
import { Percentiles, summarize } from "./stats";
import { auditAcknowledged, describeCompleteness } from "./audit";
import { AuditCompleteness, longestReadGap, Verifier } from "./verifier";
import { TimelinePoint } from "./timeline";
import { ChartMarker, renderTimelineSvg } from "../report/chart";
import { ConsumerRecovery, consumerRecovery, explainEndToEnd, formatRecovery } from "./recovery";

export interface LocalRunOptions {
  readonly minutes: number;
  readonly eventsPerDay: number;
  readonly peakFactor: number;
  readonly batchSize: number;
  readonly partitions: number;
  /** "real": the local platform's Kafka brokers; "mock": librdkafka's mock cluster. */
  readonly cluster: "real" | "mock";
  readonly drill?: "broker-failover" | RealDrill;
  readonly resultsDir?: string;
  readonly quiet?: boolean;
}

export interface LocalRunReport {
  readonly kind: string;
  readonly startedAt: string;
  readonly machine: { readonly cores: number; readonly memoryGiB: number; readonly node: string };
  readonly options: LocalRunOptions;
  readonly durationSeconds: number;
  readonly offeredEvents: number;
  readonly offeredEventsPerSec: number;
  readonly achievedEventsPerSec: number;
  readonly httpStatuses: Record<string, number>;
  readonly clientRetries: number;
  readonly gaveUpEvents: number;
  readonly ingestLatencyMs: Percentiles;
  readonly endToEndLatencyMs: Percentiles;
  readonly acknowledged: number;
  readonly consumed: number;
  /** Acknowledged events the audit did not find (a loss only when `auditComplete`). */
  readonly lost: number;
  /** Whether the audit read every partition to its end offset; if not, `lost` may count events still unread. */
  readonly auditComplete: boolean;
  readonly audit: AuditCompleteness;
  /** Extra copies of events no client resent: the producer (or the broker) wrote them twice. */
  readonly duplicated: number;
  /** Extra copies of events whose batch the client sent again after a 503 or a network error (allowed; counted apart). */
  readonly duplicatedAfterClientResend: number;
  readonly deliveredWithoutAck: number;
  /**
   * Acknowledged ids the live verifier had not read when it stopped waiting:
   * a consumer-side stall (the audit decides loss); end-to-end latency then
   * covers only what it read.
   */
  readonly liveVerifierMissing: number;
  /**
   * The live consumer's longest pause in reading while the load ran (seconds,
   * and when it began, seconds into the load): what stalled the end-to-end
   * latency, if anything did.
   */
  readonly liveConsumerLongestPause: { readonly seconds: number; readonly fromSecond: number };
  /** Per fault (and, on the mock, the restore): time until the live consumer group had caught up again (issue 11). */
  readonly consumerRecovery: readonly ConsumerRecovery[];
  /** The end-to-end latency figure in words: what stalled, and for how long. */
  readonly endToEndExplained: string;
  readonly realDrill?: DrillReport;
  readonly drill?: {
    readonly broker: number;
    readonly downAtSeconds: number;
    readonly leadersMoved: number;
    readonly restoredAtSeconds: number;
    readonly leadersRestored: number;
  };
  readonly gateway: {
    readonly idempotence: "on" | "off";
    readonly producerRetries: number;
    readonly producerErrors: number;
    /** Partitions kafkajs reported as sent without an acknowledgement, which the gateway sent again. */
    readonly unacknowledgedPartitions: number;
  };
  readonly notes: readonly string[];
  /** Second by second: events offered and acknowledged, 429s, other refusals, p50/p99 of the 202s (the report's chart). */
  readonly timeline: readonly TimelinePoint[];
}

const IDEMPOTENCE_NOTE =
  "Idempotence is off here: kafkajs asks the controller for a producer id, and the mock cluster (librdkafka 2.0.2) reports controller id 0, " +
  "which is no broker. So a produce retried after a lost response can be written twice and shows up as a duplicate. Against Strimzi the gateway " +
  "runs with KAFKA_IDEMPOTENCE=on, which removes duplicates from the producer's own retries; a client that retries a request after a 503 " +
  "can still cause duplicates, which is why events carry an eventId for downstream de-duplication.";

const REAL_NOTE =
  "Real Apache Kafka brokers (KRaft, separate controllers) on loopback with the kit's broker and topic settings; the gateway's producer is " +
  "idempotent as in production. What differs from a deployed cluster: plaintext instead of SCRAM-SHA-512 over TLS, one machine's disk " +
  "and 2 cores shared by every broker, the gateway and the load generator, and no zones (broker.rack stands in).";

const VERIFIER_NOTE =
  "The live verifier (a kafkajs 2.2.4 consumer group) had not read every acknowledged event when it stopped waiting, as seen after broker " +
  "failovers against the mock cluster. Events it did not read are missing from the end-to-end latency sample; whether they are missing " +
  "from Kafka is what the audit's lost count says. Platform consumers need a defence against such stalls: alert on consumer lag.";

export async function runLocal(opts: LocalRunOptions): Promise<LocalRunReport> {
  const say = (msg: string) => opts.quiet || console.log(msg);
  const runId = `r${Date.now().toString(36)}`;
  const run: RunProfile = {
    eventsPerDay: opts.eventsPerDay,
    peakFactor: opts.peakFactor,
    durationSeconds: opts.minutes * 60,
    batchSize: opts.batchSize,
  };
  say(
    `local run ${runId}: ${opts.minutes} min, ${(opts.eventsPerDay / SECONDS_PER_DAY).toFixed(0)} events/s average, peak ${opts.peakFactor}x, batches of ${opts.batchSize}, ~${Math.round(plannedEvents(run)).toLocaleString("en-US")} events planned${opts.drill ? `, drill ${opts.drill}` : ""}`,
  );

  const mock = opts.cluster === "mock" ? await MockKafkaCluster.start(3) : undefined;
  let platform: LocalPlatform | undefined;
  let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
  let verifier: Verifier | undefined;
  let running: RunningDrill | undefined;
  const timers: NodeJS.Timeout[] = [];
  try {
    let bootstrap: string[];
    if (mock) {
      for (const t of TOPIC_CATALOG) await mock.createTopic(t.name, t.partitions ?? opts.partitions, 3);
      bootstrap = mock.bootstrapServers;
    } else {
      platform = await LocalPlatform.start({
        gateway: false,
        monitoring: false,
        network: opts.drill === "partition" ? "netns" : "loopback",
        log: say,
      });
      bootstrap = platform.bootstrapServers;
    }
    const idempotence = mock ? "off" : "on";
    gateway = await startGateway(bootstrap, { KAFKA_IDEMPOTENCE: idempotence });
    const eventTopics = TOPIC_CATALOG.filter((t) => t.category).map((t) => t.name);
    const verifierGroup = `consumers.verifier-${runId}`;
    verifier = new Verifier(bootstrap, eventTopics, verifierGroup);
    await verifier.start();

    let drill: LocalRunReport["drill"];
    /** Mock failover and restore times (epoch ms), for the consumer's recovery. */
    const mockFaults: { what: string; atMs: number }[] = [];
    if (opts.drill === "broker-failover") {
      const cluster = mock!;
      const broker = 2;
      const downAt = run.durationSeconds / 3;
      const upAt = (2 * run.durationSeconds) / 3;
      const partial: { broker: number; downAtSeconds: number; leadersMoved: number; restoredAtSeconds: number; leadersRestored: number } = {
        broker,
        downAtSeconds: downAt,
        leadersMoved: 0,
        restoredAtSeconds: upAt,
        leadersRestored: 0,
      };
      timers.push(
        setTimeout(async () => {
          mockFaults.push({ what: `broker ${broker} failed over`, atMs: Date.now() });
          partial.leadersMoved = await cluster.failover(broker);
          // The group coordinator moves with __consumer_offsets leadership in real Kafka; the mock needs telling.
          await cluster.setCoordinator(verifierGroup, 1);
          say(`drill: broker ${broker} down at ${downAt.toFixed(0)} s, ${partial.leadersMoved} partition leaderships moved`);
        }, downAt * 1000),
      );
      timers.push(
        setTimeout(async () => {
          mockFaults.push({ what: `broker ${broker} restored (leaders moved back)`, atMs: Date.now() });
          partial.leadersRestored = await cluster.restore(broker);
          say(`drill: broker ${broker} back at ${upAt.toFixed(0)} s, ${partial.leadersRestored} leaderships returned`);
        }, upAt * 1000),
      );
      drill = partial;
    } else if (opts.drill) {
      running = startDrill(opts.drill, platform!, run.durationSeconds, say);
    }

    const generator = new EventGenerator({ ...DEFAULT_GENERATOR, seed: Date.now() & 0xffffffff, runId });
    const loadStart = Date.now();
    // A progress line every 10 s: a run of minutes otherwise prints nothing between the drill's notes.
    const result = await driveLoad({ url: gateway.url, run, generator, progress: say });
    const loadEnd = Date.now();
    // A drill heals the cluster before the audit reads it (a restarted broker has caught up).
    if (running) await running.done;
    say(`load done: ${result.acknowledged.size.toLocaleString("en-US")} events acknowledged; waiting for the live verifier`);
    await verifier.waitFor(result.acknowledged, 60_000, 15_000);
    let liveMissing = 0;
    for (const id of result.acknowledged) if (!verifier.deliveries.has(id)) liveMissing++;
    // Stop it now: reads made later, during the audit, would count as end-to-end latency.
    await verifier.stop().catch(() => undefined);
    const endToEndMs = summarize(verifier.endToEndMs);
    const gap = longestReadGap(verifier.readTimes, loadStart, loadEnd);
    const realDrill = running?.report;
    const faults =
      realDrill?.faultAtMs !== undefined
        ? [{ what: realDrill.events[0]?.what ?? realDrill.name, atMs: realDrill.faultAtMs, untilMs: realDrill.healAtMs ?? loadEnd }]
        : mockFaults.map((f, i) => ({ ...f, untilMs: mockFaults[i + 1]?.atMs ?? loadEnd }));
    const recoveries = faults.map((f) =>
      consumerRecovery({
        fault: f.what,
        faultAtMs: f.atMs,
        windowEndMs: f.untilMs,
        loadStartMs: loadStart,
        spans: verifier!.behind.spans,
        readTimes: verifier!.readTimes,
        stillBehind: liveMissing > 0,
      }),
    );
    const endToEndExplained = explainEndToEnd({
      p95Ms: endToEndMs.p95,
      spans: verifier.behind.spans,
      loadStartMs: loadStart,
      loadEndMs: loadEnd,
      faults: faults.map((f) => ({ what: f.what, atMs: f.atMs })),
    });
    verifier = undefined;

    // The verdict comes from an audit: a fresh consumer group that reads every topic from the
    // beginning after the run, so a live consumer's trouble cannot pass for data loss (or hide it).
    say("auditing: a fresh consumer group reads every event topic from the beginning to its end offset");
    const audited = await auditAcknowledged({
      bootstrap,
      topics: eventTopics,
      groupId: `consumers.audit-${runId}`,
      acknowledged: result.acknowledged,
      timeoutMs: 600_000,
    });
    const audit = audited.reader;
    say(`audit: ${describeCompleteness(audited.completeness)}`);
    const consumed = audited.found;
    let duplicated = 0;
    let duplicatedAfterClientResend = 0;
    for (const [id, copies] of audit.duplicateCopies()) {
      if (result.resent.has(id)) duplicatedAfterClientResend += copies;
      else duplicated += copies;
    }
    let deliveredWithoutAck = 0;
    for (const id of audit.deliveries.keys()) if (!result.acknowledged.has(id)) deliveredWithoutAck++;
    const metricsText = await (await fetch(`${gateway.url}/metrics`)).text();
    const metric = (name: string) =>
      metricsText
        .split("\n")
        .filter((l) => l.startsWith(name))
        .reduce((n, l) => n + Number(l.split(" ").pop()), 0);

    const report: LocalRunReport = {
      kind: mock
        ? "local run against librdkafka's mock cluster (not a cloud result)"
        : `local run against real Apache Kafka ${platform!.parts.kafkaVersion} brokers on this machine (not a cloud result)`,
      startedAt: new Date().toISOString(),
      machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      options: opts,
      durationSeconds: result.durationSeconds,
      offeredEvents: result.offeredEvents,
      offeredEventsPerSec: result.offeredEvents / result.durationSeconds,
      achievedEventsPerSec: result.acknowledged.size / result.durationSeconds,
      httpStatuses: result.statuses,
      clientRetries: result.retries,
      gaveUpEvents: result.gaveUpEvents,
      ingestLatencyMs: summarize(result.ingestLatencyMs),
      endToEndLatencyMs: endToEndMs,
      acknowledged: result.acknowledged.size,
      consumed,
      lost: audited.unread,
      auditComplete: audited.completeness.complete,
      audit: audited.completeness,
      duplicated,
      duplicatedAfterClientResend,
      deliveredWithoutAck,
      liveVerifierMissing: liveMissing,
      liveConsumerLongestPause: { seconds: gap.ms / 1000, fromSecond: (gap.startMs - loadStart) / 1000 },
      consumerRecovery: recoveries,
      endToEndExplained,
      drill,
      realDrill: running?.report,
      gateway: {
        idempotence,
        producerRetries: metric("ingest_producer_retries_total"),
        producerErrors: metric("ingest_producer_errors_total"),
        unacknowledgedPartitions: metric("ingest_unacknowledged_partitions_total"),
      },
      notes: [...(mock ? [IDEMPOTENCE_NOTE] : [REAL_NOTE]), ...(liveMissing > 0 ? [VERIFIER_NOTE] : [])],
      timeline: result.timeline,
    };
    await writeReport(report, opts.resultsDir ?? path.join(process.cwd(), "loadtest", "results"), runId, say);
    return report;
  } finally {
    timers.forEach(clearTimeout);
    running?.cancel();
    await verifier?.stop().catch(() => undefined);
    await gateway?.stop();
    await mock?.stop();
    await platform?.stop();
  }
}

const ms = (p: Percentiles) => `p50 ${p.p50.toFixed(1)} ms, p95 ${p.p95.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms (n=${p.count})`;

/** The drill's faults and heals as chart markers (seconds since the load started). */
export function timelineMarkers(r: LocalRunReport): ChartMarker[] {
  if (r.drill)
    return [
      { second: r.drill.downAtSeconds, label: `broker ${r.drill.broker} down` },
      { second: r.drill.restoredAtSeconds, label: `broker ${r.drill.broker} back` },
    ];
  // The drill's clock starts just before the load's (startDrill runs first); the gap is well under a second.
  return (r.realDrill?.events ?? []).map((e) => ({ second: e.atSeconds, label: e.what }));
}

/** @param chartFile the timeline chart's file name, beside the report, to embed */
export function formatReport(r: LocalRunReport, chartFile?: string): string {
  return [
    `# Local ingest run (${r.kind})`,
    "",
    ...(chartFile ? [`![timeline](${chartFile})`, ""] : []),
    `- started: ${r.startedAt}; machine: ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, node ${r.machine.node}`,
    `- options: ${r.options.minutes} min, ${r.options.eventsPerDay.toLocaleString("en-US")} events/day, peak ${r.options.peakFactor}x, batch ${r.options.batchSize}, cluster ${r.options.cluster}${r.options.cluster === "mock" ? `, ${r.options.partitions} partitions per event topic` : " (partitions from the dev config)"}${r.options.drill ? `, drill ${r.options.drill}` : ""}`,
    `- offered: ${r.offeredEvents.toLocaleString("en-US")} events, ${r.offeredEventsPerSec.toFixed(0)} events/s; achieved (acknowledged): ${r.achievedEventsPerSec.toFixed(0)} events/s`,
    `- HTTP statuses: ${Object.entries(r.httpStatuses)
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ")}; client retries: ${r.clientRetries}; events given up: ${r.gaveUpEvents}`,
    `- ingest latency (202 responses): ${ms(r.ingestLatencyMs)}`,
    `- end-to-end latency (send to consume, events the live verifier read during the run): ${ms(r.endToEndLatencyMs)}`,
    ...(r.drill
      ? [
          `- drill: broker ${r.drill.broker} down at ${r.drill.downAtSeconds.toFixed(0)} s (${r.drill.leadersMoved} leaderships moved), back at ${r.drill.restoredAtSeconds.toFixed(0)} s (${r.drill.leadersRestored} returned)`,
        ]
      : []),
    `- gateway: idempotence ${r.gateway.idempotence}, producer retries ${r.gateway.producerRetries}, produce calls failed ${r.gateway.producerErrors}, partitions kafkajs left unacknowledged and the gateway resent ${r.gateway.unacknowledgedPartitions}`,
    ...(r.realDrill
      ? [
          `- drill ${r.realDrill.name}: ${r.realDrill.events.map((e) => `${e.atSeconds} s ${e.what}`).join("; ")}`,
          ...(r.realDrill.controllerFailoverSeconds !== undefined
            ? [`- controller failover: ${r.realDrill.controllerFailoverSeconds} s until another controller was active`]
            : []),
          ...(r.realDrill.recoverySeconds !== undefined
            ? [`- recovery: ${r.realDrill.recoverySeconds} s from the fault until every partition was in sync`]
            : []),
        ]
      : []),
    `- acknowledged: ${r.acknowledged}`,
    `- consumed (audit: fresh consumer group, all topics from the beginning): ${r.consumed}; the audit ${describeCompleteness(r.audit)}`,
    `- delivered without a 202 (client was told to retry): ${r.deliveredWithoutAck}`,
    `- live verifier: ${r.liveVerifierMissing} acknowledged events unread when it stopped waiting (a consumer stall; the audit below decides loss)`,
    `- live consumer's longest pause in reading during the load: ${r.liveConsumerLongestPause.seconds.toFixed(1)} s, from ${r.liveConsumerLongestPause.fromSecond.toFixed(1)} s into the run (end-to-end latency of events sent then includes it)`,
    ...(r.consumerRecovery ?? []).map((c) => `- ${formatRecovery(c)}`),
    ...(r.endToEndExplained
      ? [`- ${r.endToEndExplained}; ingest p95 ${r.ingestLatencyMs.p95.toFixed(0)} ms (time to the 202, inside it)`]
      : []),
    "",
    r.auditComplete ? `lost: ${r.lost}` : `lost: not decided (audit incomplete: ${r.lost} acknowledged events unread)`,
    `duplicated: ${r.duplicated}`,
    `duplicated after a client resend: ${r.duplicatedAfterClientResend}`,
    "",
    "lost = acknowledged (202) but never found in the topics; duplicated = extra copies of an event id at different offsets (consumer re-reads of one offset do not count) " +
      "of events no client sent twice; duplicated after a client resend = extra copies of events whose batch the client sent again after a 503 or a network error.",
    "",
    ...r.notes.map((n) => `Note: ${n}`),
  ].join("\n");
}

async function writeReport(r: LocalRunReport, dir: string, runId: string, say: (m: string) => void): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${r.startedAt.replace(/[:.]/g, "-")}-${runId}${r.options.drill ? `-${r.options.drill}` : ""}`);
  fs.writeFileSync(`${base}.json`, JSON.stringify(r, null, 2));
  const title = `${r.options.cluster === "mock" ? "mock cluster" : "real brokers"}, ${r.options.minutes} min${r.options.drill ? `, drill ${r.options.drill}` : ""} (${r.startedAt})`;
  let chart: string | undefined;
  try {
    fs.writeFileSync(`${base}.svg`, await renderTimelineSvg(r.timeline, { title, markers: timelineMarkers(r) }));
    chart = `${base}.svg`;
  } catch (e) {
    // The figures matter more than the picture: a run of minutes still gets its report.
    say(`timeline chart not written: ${(e as Error).message}`);
  }
  fs.writeFileSync(`${base}.md`, `${formatReport(r, chart && path.basename(chart))}\n`);
  say(formatReport(r));
  say(`\nresults: ${[`${base}.json`, `${base}.md`, ...(chart ? [chart] : [])].join(", ")}`);
}

export function parseArgs(argv: readonly string[]): LocalRunOptions {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (flag: string, fallback: number, check: (n: number) => boolean, allowed: string) => {
    const raw = value(flag);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!check(n)) throw new Error(`${flag}: got ${JSON.stringify(raw)}, expected ${allowed}`);
    return n;
  };
  const known = new Set(["--minutes", "--events-per-day", "--rate", "--peak", "--batch", "--partitions", "--drill", "--cluster"]);
  for (let i = 0; i < argv.length; i += 2)
    if (!known.has(argv[i])) throw new Error(`unknown option ${argv[i]}; known: ${[...known].join(", ")}`);
  const rate = value("--rate");
  const eventsPerDay =
    rate !== undefined
      ? num("--rate", 0, (n) => n > 0 && n <= 1e6, "events per second from 0 to 1,000,000") * SECONDS_PER_DAY
      : num("--events-per-day", 300_000_000, (n) => n > 0, "a positive number");
  const cluster = value("--cluster") ?? "real";
  if (cluster !== "real" && cluster !== "mock") throw new Error(`--cluster: got ${JSON.stringify(cluster)}, expected real or mock`);
  const drill = value("--drill");
  const drills: readonly string[] = cluster === "mock" ? ["broker-failover"] : REAL_DRILLS;
  if (drill !== undefined && !drills.includes(drill))
    throw new Error(`--drill: got ${JSON.stringify(drill)}, expected with --cluster ${cluster} one of ${drills.join(", ")}`);
  if (cluster === "real" && value("--partitions") !== undefined)
    throw new Error("--partitions: only with --cluster mock; the real cluster's topics take their partitions from the dev config");
  return {
    minutes: num("--minutes", 2, (n) => n > 0 && n <= 120, "minutes from 0 to 120 (fractions allowed)"),
    eventsPerDay,
    peakFactor: num("--peak", 3, (n) => n >= 1 && n <= 6, "a peak factor from 1 to 6"),
    batchSize: num("--batch", 100, (n) => Number.isInteger(n) && n >= 1 && n <= 1000, "a whole number from 1 to 1000"),
    partitions: num("--partitions", 12, (n) => Number.isInteger(n) && n >= 1 && n <= 256, "a whole number from 1 to 256"),
    cluster,
    drill: drill as LocalRunOptions["drill"],
  };
}

if (require.main === module) {
  let opts: LocalRunOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  runLocal(opts).then(
    (r) =>
      process.exit(
        r.lost > 0 || !r.auditComplete || (r.options.cluster === "real" && r.duplicated > 0) || r.realDrill?.healed === false ? 1 : 0,
      ),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
