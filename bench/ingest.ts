/**
 * npm run bench:ingest [-- --seconds 20] [--linger 5] [--rounds 3] [--cluster mock|real] [--strict]
 *
 * In one run against librdkafka's mock cluster (default) or the local
 * platform's real Kafka brokers (`--cluster real`: 3 KRaft controllers, 3
 * brokers, RF 3, min ISR 2, the dev topics; the gateway and the raw producer
 * both idempotent, as in production) on this machine:
 *  1. throughput of a raw kafkajs producer (sendBatch of 100 events, 16 in
 *     flight, acks=all, LZ4) against the same events POSTed to the gateway
 *     (100-event requests, 16 in flight): events/s and the ratio. Both use
 *     the pooled kafkajs encoder, so the ratio measures the gateway itself;
 *  2. the gateway's ingest latency (request to 202) and CPU per event at 1x
 *     and 3x of the 300M/day average rate, open loop, after a 5 s warm-up,
 *     with the pooled encoder (the default) and with kafkajs's own
 *     (KAFKAJS_POOLED_ENCODER=off), alternating for `--rounds` rounds so
 *     both see the same machine. Each row also shows the CPU time the
 *     hypervisor gave to other guests meanwhile (steal), because this
 *     machine is shared and its noise decides the latency tail.
 * Bodies are prepared up front so the load generator's CPU does not compete
 * with the gateway's on 2 cores. A local figure, never a cloud figure.
 *
 * Prints a progress line every 10 s, then the figures and a verdict per target
 * (exit 1 on a MISSED target only with --strict), and writes them with a
 * timeline chart of every timed phase to bench/results/<time>-ingest-<cluster>.md
 * and .svg.
 */
// First, so that kafkajs loads with it (as in the gateway).
import { installPooledEncoder } from "../services/ingest-gateway/src/kafkajs-pooled-encoder";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { driveLoad } from "../loadtest/harness/driver";
import { Timeline } from "../loadtest/harness/timeline";
import { ChartMarker, renderTimelineSvg } from "../loadtest/report/chart";
import { reportVerdicts, Target } from "./verdicts";
import { startGateway } from "../local/gateway-process";
import { MockKafkaCluster } from "../local/mock-cluster";
import { LocalPlatform } from "../local/platform";
import { groupByCodec } from "../services/ingest-gateway/src/codecs";
import { summarize } from "../loadtest/harness/stats";
import { averageEventsPerSecond, DEFAULT_GENERATOR, EventGenerator, LoadEvent } from "../loadtest/profile/load-profile";
import { registerCodecs } from "../services/ingest-gateway/src/codecs";
import { noDelaySocketFactory } from "../services/ingest-gateway/src/socket";
import { EventCategory, TOPIC_CATALOG, topicFor } from "../domain/event-catalog";

const arg = (flag: string, fallback: number) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg("--seconds", 20);
const LINGER_MS = arg("--linger", 5);
const ROUNDS = arg("--rounds", 3);
const CLUSTER = (() => {
  const i = process.argv.indexOf("--cluster");
  const v = i >= 0 ? process.argv[i + 1] : "mock";
  if (v !== "mock" && v !== "real") throw new Error(`--cluster: got ${JSON.stringify(v)}, expected mock or real`);
  return v;
})();

/** CPU time the hypervisor gave to other guests (/proc/stat "steal"), in seconds summed over cores; undefined off Linux. */
function stealSeconds(): number | undefined {
  try {
    const fields = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
    return Number(fields[8]) / 100; // USER_HZ
  } catch {
    return undefined;
  }
}
const BATCH = 100;
const CONCURRENCY = 16;
const POOL = 600; // prepared batches, reused round-robin

/** Runs `once` back to back on `concurrency` workers; events per second. Each call goes on the timeline as sent and acknowledged. */
async function closedLoop(seconds: number, concurrency: number, once: () => Promise<number>, timeline: Timeline): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let events = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const sent = performance.now();
        // Not `events += await once()`: that reads `events` before awaiting and loses other workers' counts.
        const n = await once();
        events += n;
        timeline.offered(n);
        timeline.accepted(n, performance.now() - sent);
      }
    }),
  );
  return events / ((performance.now() - start) / 1000);
}

async function main(): Promise<number> {
  registerCodecs();
  // One timeline over every timed phase (warm-ups included), for the progress lines and the report's chart.
  const benchStart = performance.now();
  const timeline = new Timeline(benchStart);
  const markers: ChartMarker[] = [];
  const phase = (label: string) => markers.push({ second: Math.round((performance.now() - benchStart) / 1000), label });
  const stopProgress = timeline.startProgress((l) => console.log(l));
  const lines: string[] = [];
  const print = (l: string) => {
    console.log(l);
    lines.push(l);
  };
  const gen = new EventGenerator({ ...DEFAULT_GENERATOR, seed: 11, runId: "bench" });
  const now = Date.now();
  const batches: LoadEvent[][] = Array.from({ length: POOL }, () => gen.batch(BATCH, now));
  const bodies = batches.map((b) => JSON.stringify(b));
  let next = 0;

  const mock = CLUSTER === "mock" ? await MockKafkaCluster.start(3) : undefined;
  const platform = mock ? undefined : await LocalPlatform.start({ gateway: false, monitoring: false, log: () => undefined });
  const cluster = { bootstrapServers: mock?.bootstrapServers ?? platform!.bootstrapServers };
  // Idempotence on against real brokers, as in production; the mock cluster cannot serve it (its controller id is 0).
  const idempotence = mock ? "off" : "on";
  try {
    if (mock) for (const t of TOPIC_CATALOG) await mock.createTopic(t.name, t.partitions ?? 12, 3);

    // 1a. Raw kafkajs producer.
    const kafka = new Kafka({
      clientId: "bench-raw",
      brokers: cluster.bootstrapServers,
      logLevel: logLevel.NOTHING,
      socketFactory: noDelaySocketFactory(),
    });
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: idempotence === "on",
    });
    await producer.connect();
    const messagesOf = (b: LoadEvent[]) => {
      const byTopic = new Map<string, { key: string; value: string }[]>();
      for (const e of b) {
        const topic = topicFor(e.type as EventCategory);
        const list = byTopic.get(topic) ?? [];
        list.push({ key: e.userId, value: JSON.stringify(e) });
        byTopic.set(topic, list);
      }
      return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    };
    // Each topic with its catalog codec, as the gateway sends it (one sendBatch per codec).
    const rawOnce = async () => {
      const b = batches[next++ % POOL];
      await Promise.all(
        [...groupByCodec(messagesOf(b))].map(([compression, topicMessages]) =>
          producer.sendBatch({ acks: -1, compression, topicMessages }),
        ),
      );
      return b.length;
    };
    phase("cluster ready, warm-up");
    await closedLoop(3, CONCURRENCY, rawOnce, timeline); // warm-up
    phase("raw producer");
    const rawEps = await closedLoop(SECONDS, CONCURRENCY, rawOnce, timeline);
    await producer.disconnect();

    // 1b. The same events through the gateway.
    const gateway = await startGateway(cluster.bootstrapServers, { LINGER_MS: String(LINGER_MS), KAFKA_IDEMPOTENCE: idempotence });
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const post = (body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          `${gateway.url}/v1/events`,
          { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    const gwOnce = async () => {
      const status = await post(bodies[next++ % POOL]);
      if (status !== 202) throw new Error(`gateway answered ${status} during the throughput run`);
      return BATCH;
    };
    await closedLoop(3, CONCURRENCY, gwOnce, timeline);
    phase("gateway");
    const gwEps = await closedLoop(SECONDS, CONCURRENCY, gwOnce, timeline);
    agent.destroy();

    await gateway.stop();

    // 2. Latency and CPU per event at 1x and 3x of 300M/day, open loop with prepared bodies.
    const prepared = () => ({ ids: [], body: bodies[next++ % POOL] });
    const avg = averageEventsPerSecond(300_000_000);
    const rows: {
      encoder: string;
      round: number;
      label: string;
      eventsPerSec: number;
      statuses: Record<string, number>;
      cpuUsPerEvent?: number;
      stealPct?: number;
      p50: number;
      p95: number;
      p99: number;
      max: number;
      count: number;
    }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const encoder of ["pooled", "kafkajs"] as const) {
        const gw = await startGateway(cluster.bootstrapServers, {
          LINGER_MS: String(LINGER_MS),
          KAFKA_IDEMPOTENCE: idempotence,
          KAFKAJS_POOLED_ENCODER: encoder === "pooled" ? "on" : "off",
        });
        if (
          !gw
            .output()
            .includes(encoder === "pooled" ? '"kafkaEncoder":"installed"' : '"kafkaEncoder":"skipped: KAFKAJS_POOLED_ENCODER=off"')
        ) {
          throw new Error(`gateway did not report the ${encoder} encoder:\n${gw.output()}`);
        }
        for (const [label, eventsPerSec] of [
          ["1x", avg],
          ["3x", 3 * avg],
        ] as const) {
          const run = (seconds: number) => ({
            eventsPerDay: eventsPerSec * 86_400,
            peakFactor: 1,
            durationSeconds: seconds,
            batchSize: BATCH,
          });
          await driveLoad({ url: gw.url, run: run(5), generator: gen, prepared, timeline }); // warm-up
          const cpuBefore = gw.cpuSeconds();
          const stealBefore = stealSeconds();
          phase(`${round}: ${encoder} ${label}`);
          const r = await driveLoad({ url: gw.url, run: run(SECONDS), generator: gen, prepared, timeline });
          const cpuAfter = gw.cpuSeconds();
          const stealAfter = stealSeconds();
          const stealPct =
            stealBefore !== undefined && stealAfter !== undefined ? ((stealAfter - stealBefore) / r.durationSeconds) * 100 : undefined;
          const accepted = (r.statuses["202"] ?? 0) * BATCH;
          const cpuUsPerEvent =
            cpuBefore !== undefined && cpuAfter !== undefined && accepted > 0 ? ((cpuAfter - cpuBefore) * 1e6) / accepted : undefined;
          rows.push({
            encoder,
            round,
            label,
            eventsPerSec,
            statuses: r.statuses,
            cpuUsPerEvent,
            stealPct,
            ...summarize(r.ingestLatencyMs),
          });
        }
        await gw.stop();
      }
    }

    print(
      `bench:ingest  ${new Date().toISOString()}  ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
    );
    print(
      mock
        ? `mock cluster: 3 brokers (librdkafka's mock cluster), 12 partitions per event topic; events ~1 KB, batches of ${BATCH}, ${CONCURRENCY} in flight, ${SECONDS} s per measurement, gateway LINGER_MS=${LINGER_MS}`
        : `real cluster: Apache Kafka ${platform!.parts.kafkaVersion}, 3 KRaft controllers + 3 brokers on this machine, RF ${platform!.replicationFactor}, topics ${platform!.topics.map((t) => `${t.name} (${t.partitions})`).join(", ")}; idempotent producers; events ~1 KB, batches of ${BATCH}, ${CONCURRENCY} in flight, ${SECONDS} s per measurement, gateway LINGER_MS=${LINGER_MS}`,
    );
    print(
      `raw kafkajs producer (acks=all, idempotence ${idempotence}, catalog codecs, TCP_NODELAY like the gateway; encoder: ${installPooledEncoder()}):  ${rawEps.toFixed(0).padStart(7)} events/s`,
    );
    print(`through the gateway (HTTP, acks=all, pooled encoder): ${gwEps.toFixed(0).padStart(7)} events/s`);
    print(`ratio gateway/raw: ${(gwEps / rawEps).toFixed(2)}x`);
    for (const l of rows) {
      const cpu = l.cpuUsPerEvent === undefined ? "n/a" : `${l.cpuUsPerEvent.toFixed(0)} us`;
      const steal = l.stealPct === undefined ? "n/a" : `${l.stealPct.toFixed(1)}% of a core`;
      print(
        `round ${l.round}, ${l.encoder.padEnd(7)} encoder, ${l.label} (${l.eventsPerSec.toFixed(0)} events/s): p50 ${l.p50.toFixed(1)} ms, p95 ${l.p95.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms; gateway CPU per event ${cpu}; steal ${steal} (n=${l.count}, statuses ${JSON.stringify(l.statuses)})`,
      );
    }
    const medianP99 = (encoder: string) => {
      const sorted = rows
        .filter((l) => l.encoder === encoder && l.label === "3x")
        .map((l) => l.p99)
        .sort((a, b) => a - b);
      return sorted[Math.floor((sorted.length - 1) / 2)];
    };
    for (const encoder of ["pooled", "kafkajs"]) {
      const p99s = rows.filter((l) => l.encoder === encoder && l.label === "3x").map((l) => l.p99);
      print(
        `p99 at 3x with the ${encoder} encoder: ${p99s.map((p) => `${p.toFixed(1)} ms`).join(", ")}; median of rounds ${medianP99(encoder).toFixed(1)} ms`,
      );
    }
    // The gateway's targets are for the pooled encoder it runs with; kafkajs's own is measured for comparison only.
    const targets: Target[] = [
      {
        name: "throughput, gateway / raw producer",
        target: ">= 0.8x",
        measured: `${(gwEps / rawEps).toFixed(2)}x`,
        pass: gwEps / rawEps >= 0.8,
      },
      {
        name: `p99 at 3x (${(3 * avg).toFixed(0)} events/s), pooled encoder, median of ${ROUNDS} round${ROUNDS === 1 ? "" : "s"}`,
        target: "<= 50 ms",
        measured: `${medianP99("pooled").toFixed(1)} ms`,
        pass: medianP99("pooled") <= 50,
      },
    ];
    stopProgress();
    const exitCode = reportVerdicts(targets, process.argv, print);
    await writeReport(lines, timeline, markers);
    return exitCode;
  } finally {
    await mock?.stop();
    await platform?.stop();
  }
}

/** bench/results/<time>-ingest-<cluster>.md with the printed figures and the timeline chart (<same>.svg) it embeds. */
async function writeReport(lines: readonly string[], timeline: Timeline, markers: readonly ChartMarker[]): Promise<void> {
  const dir = path.join(process.cwd(), "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}-ingest-${CLUSTER}`);
  const svg = await renderTimelineSvg(timeline.points(), {
    title: `bench:ingest, ${CLUSTER === "mock" ? "mock cluster" : "real brokers"}: each measured phase from its marker (warm-ups before)`,
    markers,
  });
  fs.writeFileSync(`${base}.svg`, svg);
  fs.writeFileSync(
    `${base}.md`,
    [
      "# bench:ingest",
      "",
      `\`${["node dist/bench/ingest.js", ...process.argv.slice(2)].join(" ")}\``,
      "",
      `![timeline](${path.basename(base)}.svg)`,
      "",
      "```",
      ...lines,
      "```",
      "",
    ].join("\n"),
  );
  console.log(`results: ${base}.md, ${base}.svg`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
