/**
 * npm run platform:local -- [--env dev] [--brokers 3] [--controllers 3] [--no-gateway] [--no-monitoring]
 *                           [--broker-heap-mib 768] [--for-seconds N] [--keep-data]
 *
 * Starts the local platform (real Kafka, exporters, Prometheus, Alertmanager,
 * the gateway), prints its endpoints and runs until Ctrl-C (or --for-seconds),
 * then stops every process it started.
 */
import { LocalPlatform, LocalPlatformOptions } from "./platform";
import { serveUntilStopped } from "./serve";

export interface PlatformCliOptions extends LocalPlatformOptions {
  /** Stop by itself after this many seconds (CI and smoke tests). @default run until a signal */
  readonly forSeconds?: number;
}

const FLAGS_WITH_VALUE = ["--env", "--brokers", "--controllers", "--broker-heap-mib", "--for-seconds"];
const SWITCHES = ["--no-gateway", "--no-monitoring", "--keep-data"];

/** Parses the command line; throws naming the flag, the value and what is allowed. */
export function parsePlatformArgs(argv: readonly string[]): PlatformCliOptions {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (SWITCHES.includes(a)) switches.add(a);
    else if (FLAGS_WITH_VALUE.includes(a)) {
      if (argv[i + 1] === undefined) throw new Error(`${a}: needs a value`);
      values.set(a, argv[++i]);
    } else throw new Error(`unknown option ${a}; known: ${[...FLAGS_WITH_VALUE, ...SWITCHES].join(", ")}`);
  }
  const int = (flag: string) => {
    const raw = values.get(flag);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: got ${JSON.stringify(raw)}, expected a whole number of at least 1`);
    return n;
  };
  return {
    env: values.get("--env"),
    brokers: int("--brokers"),
    controllers: int("--controllers"),
    brokerHeapMiB: int("--broker-heap-mib"),
    forSeconds: int("--for-seconds"),
    gateway: !switches.has("--no-gateway"),
    monitoring: !switches.has("--no-monitoring"),
    keepData: switches.has("--keep-data"),
  };
}

async function main(): Promise<void> {
  let opts: PlatformCliOptions;
  try {
    opts = parsePlatformArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`platform:local: ${(e as Error).message}`);
    process.exit(2);
  }
  await serveUntilStopped(
    "platform:local",
    () => LocalPlatform.start(opts),
    (platform) => {
      console.log("\nplatform:local is up (local processes on loopback, not a cloud result):");
      for (const [k, v] of Object.entries(platform.endpoints())) console.log(`  ${k.padEnd(30)} ${v}`);
    },
    opts.forSeconds,
  );
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`platform:local: ${(e as Error).message}`);
    process.exit(1);
  });
}
