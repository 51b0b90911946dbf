import { cidrContains, cidrsOverlap, isWorldOpen, parseCidr, Ipv4Cidr } from "../domain/cidr";
import { EnvironmentConfig, NodePoolConfig } from "./types";
import { checkKafka } from "./validate-kafka";
import { ProblemCollector, show } from "./validation-kit";

export { ConfigValidationError } from "./validation-kit";
export type { ConfigProblem } from "./validation-kit";

/** Number of AZs the kit spreads over: Kafka's rack awareness and RF 3 need three. */
export const REQUIRED_AZ_COUNT = 3;
/** Spot capacity needs several pools to draw from, or one price spike empties the group. */
export const MIN_SPOT_INSTANCE_TYPES = 3;

const ENV_NAME = /^[a-z][a-z0-9]{1,11}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge)$/;
const K8S_VERSION = /^1\.(2[89]|3\d)$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const S3_BUCKET = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DDB_TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
// AWS tag values: letters, digits, spaces and + - = . _ : / @
const TAG_VALUE = /^[\p{L}\p{N} +\-=._:/@]{1,256}$/u;

/** Size part of an instance type: `m6i.xlarge` -> `xlarge`. */
export function sizeClass(instanceType: string): string {
  return instanceType.split(".")[1] ?? "";
}

/**
 * Checks one environment and returns every problem found (empty when valid).
 * Pure: creates nothing, so it can run before any construct exists.
 */
export function findConfigProblems(cfg: EnvironmentConfig): ProblemCollector {
  const name = typeof cfg?.name === "string" && cfg.name.length > 0 ? cfg.name : "<unnamed>";
  const p = new ProblemCollector(name);

  p.matches("name", cfg.name, ENV_NAME, "expected 2-12 lowercase letters or digits, starting with a letter (it prefixes every stack name)");
  p.matches("region", cfg.region, REGION, 'expected an AWS region such as "us-east-1"');
  p.matches("owner", cfg.owner, TAG_VALUE, "expected a team name usable as an AWS tag value (letters, digits, spaces, + - = . _ : / @)");
  checkZones(p, cfg);
  checkNetwork(p, cfg);
  checkEks(p, cfg);
  checkNodePool(p, "nodePools.system", cfg.nodePools.system, { onDemandOnly: true });
  checkNodePool(p, "nodePools.kafka", cfg.nodePools.kafka, { onDemandOnly: true });
  checkNodePool(p, "nodePools.consumers", cfg.nodePools.consumers, { spotOnly: true });
  checkLoad(p, cfg);
  checkKafka(p, cfg);
  checkIngest(p, cfg);
  checkBudget(p, cfg);
  checkState(p, cfg);
  return p;
}

/** Throws a ConfigValidationError listing every problem, or returns the config unchanged. */
export function validateEnvironmentConfig<T extends EnvironmentConfig>(cfg: T): T {
  findConfigProblems(cfg).throwIfAny(cfg.name);
  return cfg;
}

function checkZones(p: ProblemCollector, cfg: EnvironmentConfig): void {
  const zones = cfg.availabilityZones;
  if (
    !p.expect(
      Array.isArray(zones) && zones.length === REQUIRED_AZ_COUNT,
      "availabilityZones",
      zones,
      `need exactly ${REQUIRED_AZ_COUNT} zones (brokers spread one replica per zone)`,
    )
  )
    return;
  if (new Set(zones).size !== zones.length) p.add("availabilityZones", `got ${show(zones)}, zones must be distinct`);
  zones.forEach((zone, i) =>
    p.expect(
      typeof zone === "string" && zone.startsWith(cfg.region) && /^[a-z]$/.test(zone.slice(cfg.region.length)),
      `availabilityZones[${i}]`,
      zone,
      `expected a zone of region ${show(cfg.region)} such as "${cfg.region}a"`,
    ),
  );
}

function checkNetwork(p: ProblemCollector, cfg: EnvironmentConfig): void {
  const net = cfg.network;
  const vpc = parseCidr(net.vpcCidr);
  const vpcOk = p.expect(
    vpc !== undefined && vpc.prefix >= 16 && vpc.prefix <= 20,
    "network.vpcCidr",
    net.vpcCidr,
    'expected an IPv4 CIDR from /16 to /20 with no host bits set, such as "10.20.0.0/16"',
  );
  const all: { path: string; cidr: Ipv4Cidr }[] = [];
  for (const key of ["publicSubnetCidrs", "privateSubnetCidrs"] as const) {
    const list = net[key];
    if (
      !p.expect(
        Array.isArray(list) && list.length === REQUIRED_AZ_COUNT,
        `network.${key}`,
        list,
        `need one CIDR per availability zone (${REQUIRED_AZ_COUNT})`,
      )
    )
      continue;
    list.forEach((text, i) => {
      const path = `network.${key}[${i}]`;
      const cidr = parseCidr(text);
      if (!p.expect(cidr !== undefined, path, text, 'expected an IPv4 CIDR such as "10.20.0.0/19"')) return;
      if (vpcOk && !cidrContains(vpc!, cidr!)) p.add(path, `got ${show(text)}, must lie inside network.vpcCidr ${show(net.vpcCidr)}`);
      const clash = all.find((o) => cidrsOverlap(o.cidr, cidr!));
      if (clash) p.add(path, `got ${show(text)}, overlaps ${clash.path}`);
      all.push({ path, cidr: cidr! });
    });
  }
  p.integer("network.natGateways", net.natGateways, 1, REQUIRED_AZ_COUNT);
}

function checkEks(p: ProblemCollector, cfg: EnvironmentConfig): void {
  const eks = cfg.eks;
  p.matches("eks.kubernetesVersion", eks.kubernetesVersion, K8S_VERSION, 'expected a supported EKS minor version from "1.28" to "1.39"');
  p.integer("eks.logRetentionDays", eks.logRetentionDays, 1, 3653);
  eks.publicAccessCidrs.forEach((c, i) => p.expect(parseCidr(c) !== undefined, `eks.publicAccessCidrs[${i}]`, c, "expected an IPv4 CIDR"));
  if (eks.endpointPublicAccess) {
    if (eks.publicAccessCidrs.length === 0) {
      p.add("eks.publicAccessCidrs", "got [], a public endpoint needs an allow-list (an empty list means 0.0.0.0/0 to EKS)");
    }
    const open = eks.publicAccessCidrs.find(isWorldOpen);
    if (open && cfg.production) {
      p.add("eks.publicAccessCidrs", `got ${show(open)}, a production API endpoint must be private or limited to known CIDRs`);
    }
  }
}

function checkNodePool(
  p: ProblemCollector,
  path: string,
  pool: NodePoolConfig,
  rule: { onDemandOnly?: boolean; spotOnly?: boolean },
): void {
  const types = pool.instanceTypes;
  if (p.expect(Array.isArray(types) && types.length > 0, `${path}.instanceTypes`, types, "need at least 1 instance type")) {
    types.forEach((t, i) =>
      p.matches(`${path}.instanceTypes[${i}]`, t, INSTANCE_TYPE, 'expected an EC2 instance type such as "m6i.xlarge"'),
    );
    if (new Set(types).size !== types.length) p.add(`${path}.instanceTypes`, `got ${show(types)}, instance types must be distinct`);
  }
  if (rule.onDemandOnly) {
    p.expect(
      pool.capacityType === "ON_DEMAND",
      `${path}.capacityType`,
      pool.capacityType,
      'this pool must be "ON_DEMAND" (it runs stateful or control-plane pods)',
    );
  }
  if (rule.spotOnly) {
    p.expect(
      pool.capacityType === "SPOT",
      `${path}.capacityType`,
      pool.capacityType,
      'this pool must be "SPOT" (it exists to run interruptible work cheaply)',
    );
    if (Array.isArray(types) && types.length < MIN_SPOT_INSTANCE_TYPES) {
      p.add(
        `${path}.instanceTypes`,
        `got ${types.length} type${types.length === 1 ? "" : "s"}, need at least ${MIN_SPOT_INSTANCE_TYPES} for spot diversity`,
      );
    }
    const sizes = new Set((types ?? []).map(sizeClass));
    if (sizes.size > 1) {
      p.add(
        `${path}.instanceTypes`,
        `got sizes ${show([...sizes])}, spot types must share one size class so every node fits the same pods`,
      );
    }
  }
  const sizesOk = [
    p.integer(`${path}.minSize`, pool.minSize, 0, 1000),
    p.integer(`${path}.desiredSize`, pool.desiredSize, 0, 1000),
    p.integer(`${path}.maxSize`, pool.maxSize, 1, 1000),
  ].every(Boolean);
  if (sizesOk && !(pool.minSize <= pool.desiredSize && pool.desiredSize <= pool.maxSize)) {
    p.add(`${path}`, `got min ${pool.minSize}, desired ${pool.desiredSize}, max ${pool.maxSize}; need min <= desired <= max`);
  }
  p.integer(`${path}.diskSizeGiB`, pool.diskSizeGiB, 20, 16384);
}

function checkLoad(p: ProblemCollector, cfg: EnvironmentConfig): void {
  const load = cfg.load;
  p.integer("load.eventsPerDay", load.eventsPerDay, 1, 1e12);
  p.integer("load.bytesPerEvent", load.bytesPerEvent, 1, 1048576);
  p.number("load.peakFactor", load.peakFactor, 1, 100);
  p.integer("load.retentionDays", load.retentionDays, 1, 3650);
  p.number("load.compressionRatio", load.compressionRatio, 1, 20);
}

function checkBudget(p: ProblemCollector, cfg: EnvironmentConfig): void {
  p.number("budget.monthlyLimitUsd", cfg.budget.monthlyLimitUsd, 1, 10_000_000);
  const emails = cfg.budget.alertEmails;
  if (p.expect(Array.isArray(emails) && emails.length > 0, "budget.alertEmails", emails, "need at least 1 address for budget alerts")) {
    emails.forEach((e, i) => p.matches(`budget.alertEmails[${i}]`, e, EMAIL, "expected an email address"));
  }
}

function checkState(p: ProblemCollector, cfg: EnvironmentConfig): void {
  p.matches("state.bucket", cfg.state.bucket, S3_BUCKET, "expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)");
  p.matches("state.lockTable", cfg.state.lockTable, DDB_TABLE, "expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)");
  p.matches("state.region", cfg.state.region, REGION, 'expected an AWS region such as "us-east-1"');
  p.matches("state.keyPrefix", cfg.state.keyPrefix, /^[A-Za-z0-9!_.*'()/-]{1,512}$/, "expected an S3 key prefix without spaces");
}

const IMAGE = /^[a-z0-9][a-z0-9._/-]*(:[0-9]+)?(\/[a-z0-9._-]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;

function checkIngest(p: ProblemCollector, cfg: EnvironmentConfig): void {
  const g = cfg.ingest;
  if (p.matches("ingest.image", g.image, IMAGE, "expected an image reference with a tag or a sha256 digest")) {
    p.expect(
      !g.image.endsWith(":latest"),
      "ingest.image",
      g.image,
      'a moving tag like "latest" makes deploys unrepeatable; pin a version or digest',
    );
  }
  const minReplicas = cfg.production ? 2 : 1;
  if (p.integer("ingest.replicas.min", g.replicas.min, minReplicas, 1000) && p.integer("ingest.replicas.max", g.replicas.max, 1, 1000)) {
    p.expect(
      g.replicas.max >= g.replicas.min,
      "ingest.replicas.max",
      g.replicas.max,
      `must be at least ingest.replicas.min (${g.replicas.min})`,
    );
  }
  p.number("ingest.resources.cpu", g.resources.cpu, 0.1, 16);
  p.integer("ingest.resources.memoryMiB", g.resources.memoryMiB, 128, 16384);
  p.integer("ingest.targetCpuUtilization", g.targetCpuUtilization, 10, 95);
  p.expect(
    g.partialBatchPolicy === "reject-batch" || g.partialBatchPolicy === "accept-valid",
    "ingest.partialBatchPolicy",
    g.partialBatchPolicy,
    'expected "reject-batch" or "accept-valid"',
  );
  if (cfg.features.ingest && !cfg.features.kafka)
    p.add("features.ingest", "got true, but the gateway needs features.kafka (its topics and user)");
}
