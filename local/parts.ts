/**
 * Where the local platform's installed parts are (local/install.sh puts them
 * under ~/.cache/streaming-platform-kit/local-platform/), with versions read from the files that pin
 * them: local/pom.xml for the JVM parts, local/tools.env for Go programs.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The repository root: the nearest folder up with a package.json (works from the sources and from dist/). */
export function repoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}
export const ROOT = repoRoot(__dirname);
/** Installed parts (local/install.sh): outside the clone, shared by every clone on the machine. */
export const CACHE_DIR = process.env.KIT_LOCAL_CACHE ?? path.join(os.homedir(), ".cache", "streaming-platform-kit", "local-platform");
/** Each run's configs and logs: inside the clone (ignored). */
export const RUNS_DIR = path.join(ROOT, ".cache", "local-platform", "runs");
const POM = path.join(ROOT, "local", "pom.xml");
const TOOLS_ENV = path.join(ROOT, "local", "tools.env");

/** A `<name>` property of local/pom.xml. */
export function pomProperty(name: string, pom = fs.readFileSync(POM, "utf8")): string {
  const m = new RegExp(`<${name.replace(/\./g, "\\.")}>([^<]+)</`).exec(pom);
  if (!m) throw new Error(`local/pom.xml has no <${name}> property`);
  return m[1].trim();
}

/** KEY=value lines of local/tools.env. */
export function toolVersions(text = fs.readFileSync(TOOLS_ENV, "utf8")): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z0-9_]+)=(\S+)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

export interface LocalParts {
  readonly kafkaVersion: string;
  readonly jmxExporterVersion: string;
  /** Folder of jars: Kafka, its dependencies, log4j2 and the JMX exporter agent. */
  readonly kafkaLibs: string;
  readonly jmxAgentJar: string;
  readonly k6: string;
  readonly k6Version: string;
  readonly java: string;
  readonly prometheus: string;
  readonly promtool: string;
  readonly alertmanager: string;
}

/** The installed parts; throws naming what is missing and the command that installs it. */
export function localParts(): LocalParts {
  const pom = fs.readFileSync(POM, "utf8");
  const kafkaVersion = pomProperty("kafka.version", pom);
  const jmxExporterVersion = pomProperty("jmx-exporter.version", pom);
  const hash = createHash("sha256").update(pom).digest("hex").slice(0, 12);
  const kafkaLibs = path.join(CACHE_DIR, `kafka-${kafkaVersion}-${hash}`);
  const tools = toolVersions();
  const k6 = path.join(CACHE_DIR, `k6-${tools.K6_VERSION}`, "k6");
  const parts: LocalParts = {
    kafkaVersion,
    jmxExporterVersion,
    kafkaLibs,
    jmxAgentJar: path.join(kafkaLibs, `jmx_prometheus_javaagent-${jmxExporterVersion}.jar`),
    k6,
    k6Version: tools.K6_VERSION,
    java: "java",
    prometheus: "/usr/bin/prometheus",
    promtool: "/usr/bin/promtool",
    alertmanager: "/usr/bin/prometheus-alertmanager",
  };
  const missing = [
    [path.join(kafkaLibs, ".complete"), `Kafka ${kafkaVersion} jars`],
    [k6, `k6 ${tools.K6_VERSION}`],
    [parts.prometheus, "prometheus (Debian)"],
    [parts.alertmanager, "prometheus-alertmanager (Debian)"],
  ].filter(([file]) => !fs.existsSync(file));
  if (missing.length)
    throw new Error(
      `local platform parts missing: ${missing.map(([, what]) => what).join(", ")}; run local/install.sh (or scripts/setup.sh)`,
    );
  return parts;
}
