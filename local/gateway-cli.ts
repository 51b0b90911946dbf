/**
 * npm run gateway:local -- [--mock] [--env dev] [--brokers 3]
 *
 * The ingest gateway on loopback in front of the local platform's real Kafka
 * brokers (or, with --mock, librdkafka's mock cluster: starts in a second, no
 * Java needed, no idempotence); prints the URL, the topics and a sample curl,
 * and runs until Ctrl-C, then stops every process it started.
 */
import { TOPIC_CATALOG } from "../domain/event-catalog";
import { RunningGateway, startGateway } from "./gateway-process";
import { MockKafkaCluster } from "./mock-cluster";
import { LocalPlatform } from "./platform";
import { serveUntilStopped } from "./serve";

export interface GatewayCliOptions {
  readonly mock: boolean;
  readonly env?: string;
  readonly brokers?: number;
}

export function parseGatewayArgs(argv: readonly string[]): GatewayCliOptions {
  let mock = false;
  let env: string | undefined;
  let brokers: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--mock") mock = true;
    else if (a === "--env" || a === "--brokers") {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a}: needs a value`);
      if (a === "--env") env = v;
      else {
        brokers = Number(v);
        if (!Number.isInteger(brokers) || brokers < 1)
          throw new Error(`--brokers: got ${JSON.stringify(v)}, expected a whole number of at least 1`);
      }
    } else throw new Error(`unknown option ${a}; known: --mock, --env, --brokers`);
  }
  if (mock && (env !== undefined || brokers !== undefined))
    throw new Error("--env and --brokers apply to the real brokers, not with --mock");
  return { mock, env, brokers };
}

/** A request a user can paste: one valid event, stamped `now` (the gateway refuses events older than 7 days). */
export function sampleEvent(now = new Date()) {
  return {
    eventId: "evt-00000001",
    type: "user_action",
    userId: "user-1",
    timestamp: now.toISOString(),
    name: "page_view",
    payload: { path: "/" },
  };
}

export function sampleCurl(url: string, now = new Date()): string {
  const event = sampleEvent(now);
  return `curl -sS -X POST ${url}/v1/events -H 'content-type: application/json' -d '${JSON.stringify([event])}'`;
}

async function main(): Promise<void> {
  let opts: GatewayCliOptions;
  try {
    opts = parseGatewayArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`gateway:local: ${(e as Error).message}`);
    process.exit(2);
  }
  await serveUntilStopped(
    "gateway:local",
    () => startLocalGateway(opts),
    (running) => {
      const { gateway, platform, mock } = running;
      const topics = platform ? platform.topics.map((t) => `${t.name} (${t.partitions} partitions)`) : TOPIC_CATALOG.map((t) => t.name);
      console.log(
        `\ngateway:local is up (${mock ? "librdkafka's mock cluster" : "real Kafka brokers"}; local processes, not a cloud result):`,
      );
      console.log(`  gateway            ${gateway.url}  (POST /v1/events, GET /readyz, GET /metrics)`);
      console.log(`  bootstrap servers  ${(platform?.bootstrapServers ?? mock!.bootstrapServers).join(",")}`);
      console.log(`  topics             ${topics.join(", ")}`);
      console.log(`\ntry:\n  ${sampleCurl(gateway.url)}`);
    },
  );
}

interface LocalGateway {
  readonly gateway: RunningGateway;
  readonly platform?: LocalPlatform;
  readonly mock?: MockKafkaCluster;
  stop(): Promise<void>;
}

/** The gateway in front of the real brokers or the mock cluster; on a failure, stops what it started and rethrows. */
async function startLocalGateway(opts: GatewayCliOptions): Promise<LocalGateway> {
  if (!opts.mock) {
    const platform = await LocalPlatform.start({ env: opts.env, brokers: opts.brokers, monitoring: false });
    return { gateway: platform.gateway!, platform, stop: () => platform.stop() };
  }
  const mock = await MockKafkaCluster.start(3);
  try {
    for (const t of TOPIC_CATALOG) await mock.createTopic(t.name, t.partitions ?? 6, 3);
    // The mock cluster cannot serve InitProducerId (its controller id is 0): idempotence off.
    const gateway = await startGateway(mock.bootstrapServers, { KAFKA_IDEMPOTENCE: "off" });
    return {
      gateway,
      mock,
      async stop() {
        await gateway.stop().catch(() => undefined);
        await mock.stop();
      },
    };
  } catch (e) {
    await mock.stop();
    throw e;
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`gateway:local: ${(e as Error).message}`);
    process.exit(1);
  });
}
