import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { repoRoot } from "./parts";
import { stopProcess } from "./process";

/** Finds a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** utime + stime from /proc/<pid>/stat (Linux), in seconds. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks; USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Peak resident set (VmHWM from /proc/<pid>/status, Linux), in MiB. */
export function processPeakRssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const line = fs
      .readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmHWM:"));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function gatewayEntry(): string {
  const entry = path.join(repoRoot(__dirname), "dist", "services", "ingest-gateway", "src", "main.js");
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  return entry;
}

export interface RunningGateway {
  readonly url: string;
  readonly process: ChildProcess;
  /** Everything the gateway printed. */
  readonly output: () => string;
  /** CPU seconds (user + system) the gateway process has used so far; undefined where /proc is not available. */
  cpuSeconds(): number | undefined;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the real gateway (compiled) on a free port and waits until it is ready for Kafka traffic. */
export async function startGateway(
  brokers: readonly string[],
  env: Record<string, string> = {},
  opts: {
    readonly readyTimeoutMs?: number;
    readonly nodeArgs?: readonly string[];
    /** The compiled main.js to run. @default dist/services/ingest-gateway/src/main.js */
    readonly entry?: string;
  } = {},
): Promise<RunningGateway> {
  const readyTimeoutMs = opts.readyTimeoutMs ?? 20_000;
  const port = await freePort();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.entry ?? gatewayEntry()], {
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", KAFKA_BROKERS: brokers.join(","), KAFKA_IDEMPOTENCE: "off", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`gateway not ready within ${readyTimeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    process: child,
    output: () => out,
    cpuSeconds: () => processCpuSeconds(child.pid),
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode !== null) return child.exitCode;
      return stopProcess(child, exited, signal, 30_000);
    },
  };
}
