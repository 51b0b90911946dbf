/**
 * Prometheus and Alertmanager for the local platform: Debian's binaries
 * (/usr/bin/prometheus, /usr/bin/prometheus-alertmanager) as child processes on
 * loopback, with configurations rendered here under the work dir. Prometheus
 * scrapes the JMX exporter of every controller and broker (a `node_id` label per
 * target), the lag exporter and, when it runs, the ingest gateway, every 5 s, and
 * sends alerts to the local Alertmanager, whose single receiver has no
 * integrations: alerts are visible in its API and UI and go nowhere else.
 */
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { freePort } from "./gateway-process";
import { stopProcess } from "./process";
import { LocalParts } from "./parts";

export interface ScrapeTarget {
  readonly nodeId: number;
  readonly address: string;
}

export interface MonitoringTargets {
  readonly controllers: readonly ScrapeTarget[];
  readonly brokers: readonly ScrapeTarget[];
  /** host:port of the lag exporter. */
  readonly lagExporter: string;
  /** host:port of the ingest gateway (its /metrics), when it runs. */
  readonly gateway?: string;
}

export interface MonitoringOptions {
  readonly workDir: string;
  readonly parts: LocalParts;
  readonly targets: MonitoringTargets;
  /** Prometheus rule files (absolute paths or relative to workDir), listed under rule_files. @default none */
  readonly ruleFiles?: readonly string[];
  /** How long to wait for /-/ready of each. @default 30000 */
  readonly readyTimeoutMs?: number;
}

/** One series of an instant query's answer. */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A scrape target as Prometheus reports it (/api/v1/targets). */
export interface TargetHealth {
  readonly job: string;
  readonly instance: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly health: "up" | "down" | "unknown";
  readonly lastError: string;
  readonly scrapeUrl: string;
}

export interface Monitoring {
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  /** Where prometheus.yml and alertmanager.yml are. */
  readonly prometheusConfigFile: string;
  readonly alertmanagerConfigFile: string;
  /** Scrape targets the configuration lists. */
  readonly expectedTargets: number;
  /** An instant query (/api/v1/query); rejects with Prometheus' error. */
  query(promql: string): Promise<PromSample[]>;
  /** The active scrape targets and their health. */
  targets(): Promise<TargetHealth[]>;
  /** Waits until Prometheus has every configured target and each is up; rejects on timeout naming the ones that are not. */
  waitForTargetsUp(timeoutMs?: number): Promise<TargetHealth[]>;
  /** Makes Prometheus re-read its configuration and rule files (/-/reload). */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

export const SCRAPE_INTERVAL = "5s";
const SCRAPE_TIMEOUT = "4s";

type Yaml = string | number | boolean | null | readonly Yaml[] | { readonly [key: string]: Yaml | undefined };

/** YAML block style for plain data; strings are JSON-quoted (valid YAML double-quoted scalars). */
export function toYaml(value: Yaml, indent = ""): string {
  const scalar = (v: Yaml) => (typeof v === "string" ? JSON.stringify(v) : String(v));
  const isBlock = (v: Yaml | undefined) =>
    v !== null && typeof v === "object" && (Array.isArray(v) ? v.length > 0 : Object.values(v).some((x) => x !== undefined));
  if (Array.isArray(value)) {
    return value
      .map((item: Yaml) => {
        if (!isBlock(item))
          return `${indent}- ${Array.isArray(item) ? "[]" : item !== null && typeof item === "object" ? "{}" : scalar(item)}\n`;
        const body = toYaml(item, `${indent}  `);
        return Array.isArray(item) ? `${indent}-\n${body}` : `${indent}- ${body.slice(indent.length + 2)}`;
      })
      .join("");
  }
  if (value !== null && typeof value === "object") {
    return Object.entries(value as Record<string, Yaml | undefined>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        const key = /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k) ? k : JSON.stringify(k);
        if (isBlock(v)) return `${indent}${key}:\n${toYaml(v!, `${indent}  `)}`;
        return `${indent}${key}: ${Array.isArray(v) ? "[]" : v !== null && typeof v === "object" ? "{}" : scalar(v!)}\n`;
      })
      .join("");
  }
  return `${indent}${scalar(value)}\n`;
}

const perNode = (targets: readonly ScrapeTarget[]) => targets.map((t) => ({ targets: [t.address], labels: { node_id: String(t.nodeId) } }));

/** prometheus.yml as data. */
export function prometheusConfig(targets: MonitoringTargets, alertmanager: string, ruleFiles: readonly string[] = []) {
  return {
    global: { scrape_interval: SCRAPE_INTERVAL, scrape_timeout: SCRAPE_TIMEOUT, evaluation_interval: SCRAPE_INTERVAL },
    alerting: { alertmanagers: [{ api_version: "v2", static_configs: [{ targets: [alertmanager] }] }] },
    rule_files: [...ruleFiles],
    scrape_configs: [
      { job_name: "kafka-controllers", static_configs: perNode(targets.controllers) },
      { job_name: "kafka-brokers", static_configs: perNode(targets.brokers) },
      { job_name: "kafka-exporter", static_configs: [{ targets: [targets.lagExporter] }] },
      ...(targets.gateway
        ? [{ job_name: "ingest-gateway", metrics_path: "/metrics", static_configs: [{ targets: [targets.gateway] }] }]
        : []),
    ],
  };
}

export function renderPrometheusConfig(targets: MonitoringTargets, alertmanager: string, ruleFiles: readonly string[] = []): string {
  return `# Rendered by local/monitoring.ts for the local platform; rewritten on every start.\n${toYaml(prometheusConfig(targets, alertmanager, ruleFiles))}`;
}

/** Scrape targets prometheus.yml lists. */
export function targetCount(targets: MonitoringTargets): number {
  return targets.controllers.length + targets.brokers.length + 1 + (targets.gateway ? 1 : 0);
}

/** alertmanager.yml: one route to a receiver without integrations (alerts stay in Alertmanager). */
export function renderAlertmanagerConfig(): string {
  return `# Rendered by local/monitoring.ts for the local platform; rewritten on every start.\n${toYaml({
    route: { receiver: "local", group_by: ["alertname"], group_wait: "1s", group_interval: "5s", repeat_interval: "1h" },
    receivers: [{ name: "local" }],
  })}`;
}

/** Runs `promtool check config`; rejects with promtool's output when the file does not pass. */
export function checkPrometheusConfig(promtool: string, file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(promtool, ["check", "config", file], { timeout: 30_000 }, (err, stdout, stderr) => {
      const out = `${stdout}${stderr}`.trim();
      if (err) reject(new Error(`promtool check config ${file} failed (${err.code ?? err.signal}):\n${out}`));
      else resolve(out);
    });
  });
}

/** A server process whose output goes to a log file. */
class ServerProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    readonly logFile: string,
  ) {
    const fd = fs.openSync(logFile, "a");
    try {
      this.child = spawn(command, args, { stdio: ["ignore", fd, fd] });
    } finally {
      fs.closeSync(fd);
    }
    this.exited = new Promise((r) => {
      this.child.once("exit", () => r());
      this.child.once("error", () => r());
    });
  }

  get running(): boolean {
    return this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  tail(lines = 30): string {
    const text = fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, "utf8") : "";
    return text.split("\n").slice(-lines).join("\n");
  }

  async waitReady(url: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited during start-up; see ${this.logFile}:\n${this.tail()}`);
      try {
        const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.name} not ready within ${timeoutMs} ms; see ${this.logFile}:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.running) await stopProcess(this.child, this.exited, "SIGTERM", graceMs);
  }
}

async function getJson(url: string): Promise<{ status: string; data?: unknown; error?: string; errorType?: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { status: string; data?: unknown; error?: string; errorType?: string };
  if (body.status !== "success") throw new Error(`${url}: ${body.errorType ?? res.status}: ${body.error ?? "no error message"}`);
  return body;
}

/** Writes the configurations, checks prometheus.yml with promtool, starts Alertmanager and Prometheus, and waits until both are ready. */
export async function startMonitoring(opts: MonitoringOptions): Promise<Monitoring> {
  const workDir = path.resolve(opts.workDir);
  fs.mkdirSync(workDir, { recursive: true });
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  const [promPort, amPort] = [await freePort(), await freePort()];
  const prometheusUrl = `http://127.0.0.1:${promPort}`;
  const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
  const ruleFiles = (opts.ruleFiles ?? []).map((f) => path.resolve(workDir, f));

  const prometheusConfigFile = path.join(workDir, "prometheus.yml");
  const alertmanagerConfigFile = path.join(workDir, "alertmanager.yml");
  fs.writeFileSync(prometheusConfigFile, renderPrometheusConfig(opts.targets, `127.0.0.1:${amPort}`, ruleFiles));
  fs.writeFileSync(alertmanagerConfigFile, renderAlertmanagerConfig());
  await checkPrometheusConfig(opts.parts.promtool, prometheusConfigFile);

  const processes: ServerProcess[] = [];
  const stopAll = () => Promise.all(processes.map((p) => p.stop())).then(() => undefined);
  try {
    const alertmanager = new ServerProcess(
      "alertmanager",
      opts.parts.alertmanager,
      [
        `--config.file=${alertmanagerConfigFile}`,
        `--storage.path=${path.join(workDir, "alertmanager-data")}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        // Empty: no cluster gossip (it would listen on 0.0.0.0:9094).
        "--cluster.listen-address=",
      ],
      path.join(workDir, "alertmanager.log"),
    );
    processes.push(alertmanager);
    const prometheus = new ServerProcess(
      "prometheus",
      opts.parts.prometheus,
      [
        `--config.file=${prometheusConfigFile}`,
        `--storage.tsdb.path=${path.join(workDir, "prometheus-data")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        "--web.enable-lifecycle",
      ],
      path.join(workDir, "prometheus.log"),
    );
    processes.push(prometheus);
    await Promise.all([alertmanager.waitReady(alertmanagerUrl, readyTimeoutMs), prometheus.waitReady(prometheusUrl, readyTimeoutMs)]);
  } catch (e) {
    await stopAll();
    throw e;
  }

  const expectedTargets = targetCount(opts.targets);
  const monitoring: Monitoring = {
    prometheusUrl,
    alertmanagerUrl,
    prometheusConfigFile,
    alertmanagerConfigFile,
    expectedTargets,
    async query(promql: string): Promise<PromSample[]> {
      const body = await getJson(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const data = body.data as { resultType: string; result: unknown };
      if (data.resultType === "vector") {
        return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
          metric: r.metric,
          value: Number(r.value[1]),
        }));
      }
      if (data.resultType === "scalar") return [{ metric: {}, value: Number((data.result as [number, string])[1]) }];
      throw new Error(`query ${promql}: a ${data.resultType} result; expected an instant vector or a scalar`);
    },
    async targets(): Promise<TargetHealth[]> {
      const body = await getJson(`${prometheusUrl}/api/v1/targets?state=active`);
      const active = (body.data as { activeTargets: (TargetHealth & { scrapePool: string })[] }).activeTargets;
      return active.map((t) => ({
        job: t.labels.job,
        instance: t.labels.instance,
        labels: t.labels,
        health: t.health,
        lastError: t.lastError,
        scrapeUrl: t.scrapeUrl,
      }));
    },
    async waitForTargetsUp(timeoutMs = 60_000): Promise<TargetHealth[]> {
      const deadline = Date.now() + timeoutMs;
      let last: TargetHealth[] = [];
      for (;;) {
        try {
          last = await monitoring.targets();
          if (last.length >= expectedTargets && last.every((t) => t.health === "up")) return last;
        } catch {
          // Prometheus busy or restarting: try again
        }
        if (Date.now() > deadline) {
          const notUp = last.filter((t) => t.health !== "up").map((t) => `${t.job} ${t.instance}: ${t.health} ${t.lastError}`.trim());
          throw new Error(
            `scrape targets not all up within ${timeoutMs} ms (${last.length} of ${expectedTargets} known)` +
              (notUp.length ? `:\n${notUp.join("\n")}` : ""),
          );
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    async reload(): Promise<void> {
      const res = await fetch(`${prometheusUrl}/-/reload`, { method: "POST", signal: AbortSignal.timeout(10_000) });
      if (res.status !== 200) throw new Error(`prometheus reload: ${res.status} ${(await res.text()).trim()}`);
    },
    stop: stopAll,
  };
  return monitoring;
}
