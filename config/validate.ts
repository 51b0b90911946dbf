import {
  GATEWAY_MIN_MEMORY_MIB,
  GATEWAY_SATURATION_CORES,
  HPA_BEFORE_SHEDDING_SHARE,
  hpaScaleOutCores,
} from "../domain/ingest-gateway-sizing";
import { EKS_CONTROL_PLANE_USD_PER_HOUR, eksSupportPhase, versionsInStandardSupport } from "../domain/eks-versions";
import { CLOUDWATCH_LOG_RETENTION_DAYS } from "../domain/aws-limits";
import { cidrContains, cidrsOverlap, documentationRangeOf, isWorldOpen, parseCidr, Ipv4Cidr } from "../domain/cidr";
import { parseAcmCertificateArn, SECURITY_GROUP_INBOUND_RULES } from "../domain/load-balancing";
import { isKitNodePool, KIT_NODE_POOLS, kitNodePool, NodePoolName, POOL_NAME_PATTERN, POOL_NAME_RULE } from "../domain/node-pools";
import { isKarpenterOnly } from "./node-pools";
import {
  EksAddonConfig,
  EksConfig,
  EnvironmentConfig,
  FeatureToggles,
  IngestConfig,
  IngestLoadBalancerConfig,
  KarpenterPoolConfig,
  LoadConfig,
  NetworkConfig,
  NodeGroupPoolConfig,
  NodePoolConfig,
  StateBackendConfig,
} from "./types";
import { checkCiRunner } from "./validate-ci-runner";
import { checkKafka } from "./validate-kafka";
import { checkKarpenter, checkKarpenterRolePool } from "./validate-karpenter";
import { checkScheduling } from "./validate-scheduling";
import { isRecord, ProblemCollector, show } from "./validation-kit";

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
const S3_BUCKET = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DDB_TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
// AWS tag values: letters, digits, spaces and + - = . _ : / @
const TAG_VALUE = /^[\p{L}\p{N} +\-=._:/@]{1,256}$/u;
// EKS add-on names: AWS add-ons are kebab-case, Marketplace ones `vendor_product`.
const ADDON_NAME = /^[a-z0-9][a-z0-9_-]{0,99}$/;
const ADDON_VERSION = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/;

/**
 * Every key of `T`, listed once. The compiler fails when a key is added to or
 * removed from the type but not here, so the known-key checks cannot go stale.
 */
function keysOf<T>(keys: Record<keyof T, true>): readonly string[] {
  return Object.keys(keys);
}

const ENVIRONMENT_KEYS = keysOf<EnvironmentConfig>({
  name: true,
  production: true,
  region: true,
  availabilityZones: true,
  owner: true,
  network: true,
  eks: true,
  nodePools: true,
  karpenter: true,
  load: true,
  kafka: true,
  ingest: true,
  features: true,
  state: true,
  ciRunner: true,
});
const FEATURE_KEYS = keysOf<FeatureToggles>({ kafka: true, ingest: true });
const NETWORK_KEYS = keysOf<NetworkConfig>({ vpcCidr: true, publicSubnetCidrs: true, privateSubnetCidrs: true, natGateways: true });
const EKS_KEYS = keysOf<EksConfig>({
  kubernetesVersion: true,
  supportType: true,
  endpointPublicAccess: true,
  publicAccessCidrs: true,
  logRetentionDays: true,
  addons: true,
});
const ADDON_KEYS = keysOf<EksAddonConfig>({ version: true, configurationValues: true });
const NODE_POOL_KEYS = keysOf<NodeGroupPoolConfig>({
  instanceTypes: true,
  capacityType: true,
  minSize: true,
  desiredSize: true,
  maxSize: true,
  diskSizeGiB: true,
  tainted: true,
  nodeGroupPerAz: true,
  provisioner: true,
  karpenter: true,
});
/** A Karpenter-only pool has no node group, so no sizes. */
const KARPENTER_POOL_KEYS = keysOf<KarpenterPoolConfig>({
  instanceTypes: true,
  capacityType: true,
  diskSizeGiB: true,
  tainted: true,
  provisioner: true,
  karpenter: true,
});
const LOAD_KEYS = keysOf<LoadConfig>({
  eventsPerDay: true,
  bytesPerEvent: true,
  peakFactor: true,
  retentionDays: true,
  compressionRatio: true,
});
const INGEST_KEYS = keysOf<IngestConfig>({
  image: true,
  replicas: true,
  resources: true,
  targetCpuUtilization: true,
  partialBatchPolicy: true,
  loadBalancer: true,
});
const INGEST_LOAD_BALANCER_KEYS = keysOf<IngestLoadBalancerConfig>({
  scheme: true,
  certificateArn: true,
  sourceRanges: true,
  allowInternetFacing: true,
});
const STATE_KEYS = keysOf<StateBackendConfig>({ bucket: true, keyPrefix: true, region: true, dynamodbLockTable: true });

/**
 * Environment policy for the kit's three role pools. Extra pools get only the
 * generic checks; these three carry the kit's own workloads.
 */
const ROLE_POOLS: Readonly<
  Record<NodePoolName, { readonly runs: string; readonly capacityType: "ON_DEMAND" | "SPOT"; readonly nodeGroupPerAz?: string }>
> = {
  system: { runs: "operators, controllers and the ingest gateway", capacityType: "ON_DEMAND" },
  kafka: {
    runs: "Kafka brokers and KRaft controllers",
    capacityType: "ON_DEMAND",
    nodeGroupPerAz:
      "a broker's EBS volume is zonal, so its node must come back in the same zone; one node group per zone makes sure it does",
  },
  consumers: { runs: "consumers, executors and workers", capacityType: "SPOT" },
};

/** Add-ons the kit's own stacks rely on, and what for. */
const REQUIRED_ADDONS: readonly { readonly name: string; readonly why: string; readonly when?: (cfg: EnvironmentConfig) => boolean }[] = [
  { name: "vpc-cni", why: "pod networking (nodes stay NotReady without it)" },
  { name: "kube-proxy", why: "Service routing" },
  { name: "coredns", why: "cluster DNS" },
  { name: "aws-ebs-csi-driver", why: "the gp3-encrypted StorageClass (Kafka's volumes) provisions through it" },
  {
    name: "metrics-server",
    why: "the Kafka broker and ingest gateway HPAs scale on the CPU metrics it serves",
    when: (cfg) => cfg.features?.kafka === true || cfg.features?.ingest === true,
  },
];

/** Size part of an instance type: `m6i.xlarge` -> `xlarge`. */
export function sizeClass(instanceType: string): string {
  return instanceType.split(".")[1] ?? "";
}

/**
 * Checks one environment and returns every problem found (empty when valid).
 * Pure: creates nothing, so it can run before any construct exists.
 */
export function findConfigProblems(cfg: EnvironmentConfig, options: ValidationOptions = {}): ProblemCollector {
  const name = typeof cfg?.name === "string" && cfg.name.length > 0 ? cfg.name : "<unnamed>";
  const p = new ProblemCollector(name);

  p.knownKeys("", cfg, ENVIRONMENT_KEYS);
  p.matches("name", cfg.name, ENV_NAME, "expected 2-12 lowercase letters or digits, starting with a letter (it prefixes every stack name)");
  p.expect(typeof cfg.production === "boolean", "production", cfg.production, "expected true or false");
  p.matches("region", cfg.region, REGION, 'expected an AWS region such as "us-east-1"');
  p.matches("owner", cfg.owner, TAG_VALUE, "expected a team name usable as an AWS tag value (letters, digits, spaces, + - = . _ : / @)");
  checkZones(p, cfg);
  checkNetwork(p, cfg);
  checkEks(p, cfg, { today: options.today ?? new Date().toISOString().slice(0, 10), forDeploy: options.forDeploy ?? false });
  checkNodePools(p, cfg);
  checkKarpenter(p, cfg);
  checkLoad(p, cfg);
  checkKafka(p, cfg);
  checkIngest(p, cfg);
  checkFeatures(p, cfg);
  checkState(p, cfg);
  checkCiRunner(p, cfg, { forDeploy: options.forDeploy ?? false });
  // Last: it needs the pools, Kafka and the gateway to be valid (it skips itself when they are not).
  checkScheduling(p, cfg);
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
  p.knownKeys("network", net, NETWORK_KEYS);
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

/** What validation needs besides the config. */
export interface ValidationOptions {
  /** The day to judge EKS support windows against (ISO date). @default today */
  readonly today?: string;
  /**
   * Synthesizing for a deploy (main.ts sets it from KIT_DEPLOY=1): example
   * values in the config (ciRunner.connectionArn, ciRunner.repository) are errors.
   * @default false (they are warnings)
   */
  readonly forDeploy?: boolean;
}

/**
 * The Kubernetes version must be one EKS runs today. Past standard support a
 * cluster costs about 6x for its control plane (extended support); past
 * extended support EKS upgrades it or refuses to create it.
 */
function checkEksVersion(p: ProblemCollector, eks: EksConfig, today: string): void {
  if (!p.matches("eks.kubernetesVersion", eks.kubernetesVersion, K8S_VERSION, 'expected an EKS minor version such as "1.35"')) return;
  const standard = versionsInStandardSupport(today)
    .map((v) => JSON.stringify(v))
    .join(", ");
  const support = eksSupportPhase(eks.kubernetesVersion, today);
  if (!support) {
    p.add(
      "eks.kubernetesVersion",
      `got ${show(eks.kubernetesVersion)}, not a version the kit knows EKS support dates for (domain/eks-versions.ts); in standard support on ${today}: ${standard}`,
    );
    return;
  }
  const { phase, entry } = support;
  const cost = `$${EKS_CONTROL_PLANE_USD_PER_HOUR.extended}/h instead of $${EKS_CONTROL_PLANE_USD_PER_HOUR.standard}/h for the control plane`;
  if (phase === "unsupported") {
    p.add(
      "eks.kubernetesVersion",
      `got ${show(eks.kubernetesVersion)}, its extended support ended on ${entry.extendedSupportEnds}; in standard support on ${today}: ${standard}`,
    );
  } else if (phase === "extended" && eks.supportType === "STANDARD") {
    p.add(
      "eks.kubernetesVersion",
      `got ${show(eks.kubernetesVersion)}, its standard support ended on ${entry.standardSupportEnds} and eks.supportType is "STANDARD" (EKS would upgrade the control plane on its own); use one of ${standard}, or set eks.supportType "EXTENDED" (${cost})`,
    );
  } else if (phase === "extended") {
    p.warn(
      "eks.kubernetesVersion",
      `${eks.kubernetesVersion} is in extended support since ${entry.standardSupportEnds} (${cost}) until ${entry.extendedSupportEnds}; upgrade to one of ${standard}`,
    );
  } else if (phase === "ending-soon") {
    p.warn(
      "eks.kubernetesVersion",
      `${eks.kubernetesVersion} leaves standard support on ${entry.standardSupportEnds}; then EKS ${eks.supportType === "STANDARD" ? "upgrades the control plane on its own" : `charges extended support (${cost})`}. Plan the upgrade to one of ${standard}`,
    );
  }
  p.expect(
    eks.supportType === "STANDARD" || eks.supportType === "EXTENDED",
    "eks.supportType",
    eks.supportType,
    'expected "STANDARD" or "EXTENDED"',
  );
}

function checkEks(p: ProblemCollector, cfg: EnvironmentConfig, opts: Required<ValidationOptions>): void {
  const eks = cfg.eks;
  p.knownKeys("eks", eks, EKS_KEYS);
  checkEksVersion(p, eks, opts.today);
  p.expect(
    CLOUDWATCH_LOG_RETENTION_DAYS.includes(eks.logRetentionDays),
    "eks.logRetentionDays",
    eks.logRetentionDays,
    `expected one of the retention periods CloudWatch Logs accepts: ${CLOUDWATCH_LOG_RETENTION_DAYS.join(", ")}`,
  );
  p.expect(typeof eks.endpointPublicAccess === "boolean", "eks.endpointPublicAccess", eks.endpointPublicAccess, "expected true or false");
  const cidrs = eks.publicAccessCidrs;
  if (p.expect(Array.isArray(cidrs), "eks.publicAccessCidrs", cidrs, "expected a list of IPv4 CIDRs")) {
    cidrs.forEach((c, i) => {
      const docs = typeof c === "string" ? documentationRangeOf(c) : undefined;
      if (docs) {
        p.add(
          `eks.publicAccessCidrs[${i}]`,
          `got ${show(c)}, a documentation range (${docs}) that no real client has; list the egress CIDRs of the people who must reach the API, or keep the endpoint private (CI reaches it from the VPC runner, people through SSM or a VPN: docs/ci-runner.md)`,
        );
      } else p.expect(parseCidr(c) !== undefined, `eks.publicAccessCidrs[${i}]`, c, "expected an IPv4 CIDR");
    });
    if (eks.endpointPublicAccess) {
      if (cidrs.length === 0) {
        p.add(
          "eks.publicAccessCidrs",
          'got [], a public endpoint needs an allow-list (an empty list means 0.0.0.0/0 to EKS; write ["0.0.0.0/0"] if that is meant)',
        );
      }
      // Environment policy: world-open is refused in production and reported elsewhere (the policy pack warns too).
      const open = cidrs.find(isWorldOpen);
      if (open && cfg.production) {
        p.add("eks.publicAccessCidrs", `got ${show(open)}, a production API endpoint must be private or limited to known CIDRs`);
      } else if (open) {
        p.warn(
          "eks.publicAccessCidrs",
          `got ${show(open)}, the Kubernetes API endpoint is open to the whole internet (allowed outside production, refused in production)`,
        );
      }
    } else if (cidrs.length > 0) {
      p.add(
        "eks.publicAccessCidrs",
        `got ${show(cidrs)}, but eks.endpointPublicAccess is false and the list would be ignored; empty it or make the endpoint public`,
      );
    }
  }
  checkAddons(p, cfg);
}

function checkAddons(p: ProblemCollector, cfg: EnvironmentConfig): void {
  const addons = cfg.eks.addons;
  if (
    !p.expect(
      isRecord(addons),
      "eks.addons",
      addons,
      'expected a map of EKS add-on name to settings, such as { "vpc-cni": {}, coredns: { version: "v1.12.1-eksbuild.2" } }',
    )
  )
    return;
  for (const [name, addon] of Object.entries(addons)) {
    const path = `eks.addons.${name}`;
    p.matches(path, name, ADDON_NAME, 'expected an EKS add-on name such as "coredns" (aws eks describe-addon-versions)');
    if (!p.expect(isRecord(addon), path, addon, 'expected the add-on\'s settings, {} or { version: "v1.12.1-eksbuild.2" }')) continue;
    p.knownKeys(path, addon, ADDON_KEYS);
    if (addon.version !== undefined) {
      p.matches(`${path}.version`, addon.version, ADDON_VERSION, 'expected an add-on version such as "v1.19.2-eksbuild.1"');
    }
    if (addon.configurationValues !== undefined) checkAddonConfiguration(p, `${path}.configurationValues`, addon.configurationValues);
  }
  checkNetworkPolicyEnforcement(p, cfg);
  for (const required of REQUIRED_ADDONS) {
    if (addons[required.name] === undefined && (required.when?.(cfg) ?? true)) {
      p.add(`eks.addons.${required.name}`, `got nothing, the kit needs this add-on: ${required.why}`);
    }
  }
}

/** Configuration values must be a JSON object that survives JSON.stringify unchanged. */
function checkAddonConfiguration(p: ProblemCollector, path: string, values: unknown): void {
  if (!p.expect(isRecord(values), path, values, 'expected an object of the add-on\'s settings, such as { enableNetworkPolicy: "true" }'))
    return;
  const bad = (v: unknown, at: string): string | undefined => {
    if (v === null || typeof v === "string" || typeof v === "boolean") return undefined;
    if (typeof v === "number") return Number.isFinite(v) ? undefined : at;
    if (Array.isArray(v)) return v.map((x, i) => bad(x, `${at}[${i}]`)).find(Boolean);
    if (isRecord(v))
      return Object.entries(v)
        .map(([k, x]) => bad(x, `${at}.${k}`))
        .find(Boolean);
    return at;
  };
  const at = bad(values, path);
  if (at) p.add(at, "not JSON data (EKS takes the configuration as a JSON document)");
}

/**
 * The kit gives each of its namespaces a default-deny NetworkPolicy with
 * explicit allows (features.kafka creates them). On EKS they do nothing
 * unless the VPC CNI's network policy agent enforces them, so vpc-cni must be
 * configured to, with the string "true" its schema takes (a JSON boolean is
 * refused by EKS at apply).
 */
function checkNetworkPolicyEnforcement(p: ProblemCollector, cfg: EnvironmentConfig): void {
  const vpcCni = cfg.eks.addons["vpc-cni"];
  if (!isRecord(vpcCni)) return; // a missing add-on is reported on its own
  const path = "eks.addons.vpc-cni.configurationValues.enableNetworkPolicy";
  const values: unknown = vpcCni.configurationValues;
  if (values !== undefined && !isRecord(values)) return; // reported as not an object
  const value = isRecord(values) ? values.enableNetworkPolicy : undefined;
  if (value === true || value === false) {
    p.add(path, `got ${value} (a JSON boolean), the vpc-cni configuration schema takes the string "${value}"`);
  } else if (value !== undefined && value !== "true" && value !== "false") {
    p.add(path, `got ${show(value)}, expected "true" or "false"`);
  } else if (cfg.features?.kafka === true && value !== "true") {
    p.add(
      path,
      `got ${show(value)}, must be "true" while features.kafka is on: the kit's namespaces rely on default-deny NetworkPolicies, which nothing enforces otherwise`,
    );
  }
}

function checkNodePools(p: ProblemCollector, cfg: EnvironmentConfig): void {
  const pools: Readonly<Record<string, NodePoolConfig | undefined>> = cfg.nodePools;
  if (
    !p.expect(isRecord(pools), "nodePools", pools, `expected a map of pool name to node pool, with at least ${KIT_NODE_POOLS.join(", ")}`)
  )
    return;
  for (const role of KIT_NODE_POOLS) {
    if (pools[role] === undefined) p.add(`nodePools.${role}`, `got nothing, the kit needs this pool for its ${ROLE_POOLS[role].runs}`);
  }
  for (const [name, pool] of Object.entries(pools)) {
    const path = `nodePools.${name}`;
    p.matches(path, name, POOL_NAME_PATTERN, `pool names become the node label value and node group names: ${POOL_NAME_RULE}`);
    if (!isRecord(pool)) {
      p.add(path, `got ${show(pool)}, expected a node pool (instanceTypes, capacityType, sizes, diskSizeGiB, tainted, nodeGroupPerAz)`);
      continue;
    }
    checkNodePool(p, path, pool);
    if (isKitNodePool(name)) checkRolePool(p, path, name, pool);
  }
}

/** Checks that hold for every pool, whatever it runs. */
function checkNodePool(p: ProblemCollector, path: string, pool: NodePoolConfig): void {
  const karpenterOnly = isKarpenterOnly(pool);
  if (karpenterOnly) {
    // Node-group settings on a Karpenter pool would be silently meaningless: say where its size lives.
    const groupOnly = NODE_POOL_KEYS.filter((k) => !KARPENTER_POOL_KEYS.includes(k));
    for (const key of groupOnly.filter((k) => k in pool)) {
      p.add(
        `${path}.${key}`,
        `got ${show((pool as unknown as Record<string, unknown>)[key])}, a pool with provisioner "karpenter" has no node group; Karpenter sizes it up to karpenter.limits`,
      );
    }
    p.knownKeys(path, Object.fromEntries(Object.entries(pool).filter(([k]) => !groupOnly.includes(k))), KARPENTER_POOL_KEYS);
  } else {
    p.knownKeys(path, pool, NODE_POOL_KEYS);
  }
  const types = pool.instanceTypes;
  if (p.expect(Array.isArray(types) && types.length > 0, `${path}.instanceTypes`, types, "need at least 1 instance type")) {
    types.forEach((t, i) =>
      p.matches(`${path}.instanceTypes[${i}]`, t, INSTANCE_TYPE, 'expected an EC2 instance type such as "m6i.xlarge"'),
    );
    if (new Set(types).size !== types.length) p.add(`${path}.instanceTypes`, `got ${show(types)}, instance types must be distinct`);
  }
  p.expect(
    pool.capacityType === "ON_DEMAND" || pool.capacityType === "SPOT",
    `${path}.capacityType`,
    pool.capacityType,
    'expected "ON_DEMAND" or "SPOT"',
  );
  if (pool.capacityType === "SPOT" && Array.isArray(types)) {
    if (types.length < MIN_SPOT_INSTANCE_TYPES) {
      p.add(
        `${path}.instanceTypes`,
        `got ${types.length} type${types.length === 1 ? "" : "s"}, need at least ${MIN_SPOT_INSTANCE_TYPES} for spot diversity`,
      );
    }
    const sizes = new Set(types.map(sizeClass));
    if (sizes.size > 1) {
      p.add(
        `${path}.instanceTypes`,
        `got sizes ${show([...sizes])}, spot types must share one size class so every node fits the same pods`,
      );
    }
  }
  p.integer(`${path}.diskSizeGiB`, pool.diskSizeGiB, 20, 16384);
  p.expect(typeof pool.tainted === "boolean", `${path}.tainted`, pool.tainted, "expected true or false");
  if (karpenterOnly) return;
  const sizesOk = [
    p.integer(`${path}.minSize`, pool.minSize, 0, 1000),
    p.integer(`${path}.desiredSize`, pool.desiredSize, 0, 1000),
    p.integer(`${path}.maxSize`, pool.maxSize, 1, 1000),
  ].every(Boolean);
  if (sizesOk && !(pool.minSize <= pool.desiredSize && pool.desiredSize <= pool.maxSize)) {
    p.add(`${path}`, `got min ${pool.minSize}, desired ${pool.desiredSize}, max ${pool.maxSize}; need min <= desired <= max`);
  }
  p.expect(typeof pool.nodeGroupPerAz === "boolean", `${path}.nodeGroupPerAz`, pool.nodeGroupPerAz, "expected true or false");
}

/** Environment policy for the pools the kit's own workloads run on. */
function checkRolePool(p: ProblemCollector, path: string, role: NodePoolName, pool: NodePoolConfig): void {
  const policy = ROLE_POOLS[role];
  if (policy.capacityType === "ON_DEMAND") {
    p.expect(
      pool.capacityType === "ON_DEMAND",
      `${path}.capacityType`,
      pool.capacityType,
      'this pool must be "ON_DEMAND" (it runs stateful or control-plane pods)',
    );
  } else {
    p.expect(
      pool.capacityType === "SPOT",
      `${path}.capacityType`,
      pool.capacityType,
      'this pool must be "SPOT" (it exists to run interruptible work cheaply)',
    );
  }
  // The kit's workloads select and tolerate these pools through domain/node-pools.ts; the nodes must match.
  const tainted = kitNodePool(role).tainted;
  if (typeof pool.tainted === "boolean") {
    p.expect(
      pool.tainted === tainted,
      `${path}.tainted`,
      pool.tainted,
      tainted
        ? `the ${role} pool must be tainted: it is reserved for the kit's ${policy.runs}, which tolerate the taint`
        : `the ${role} pool must not be tainted: the kit's ${policy.runs} carry no toleration for it`,
    );
  }
  if (policy.nodeGroupPerAz && !isKarpenterOnly(pool) && typeof pool.nodeGroupPerAz === "boolean") {
    p.expect(pool.nodeGroupPerAz, `${path}.nodeGroupPerAz`, pool.nodeGroupPerAz, `the ${role} pool needs it: ${policy.nodeGroupPerAz}`);
  }
  checkKarpenterRolePool(p, path, role, pool);
}

function checkLoad(p: ProblemCollector, cfg: EnvironmentConfig): void {
  const load = cfg.load;
  p.knownKeys("load", load, LOAD_KEYS);
  p.integer("load.eventsPerDay", load.eventsPerDay, 1, 1e12);
  p.integer("load.bytesPerEvent", load.bytesPerEvent, 1, 1048576);
  p.number("load.peakFactor", load.peakFactor, 1, 100);
  p.integer("load.retentionDays", load.retentionDays, 1, 3650);
  p.number("load.compressionRatio", load.compressionRatio, 1, 20);
}

function checkFeatures(p: ProblemCollector, cfg: EnvironmentConfig): void {
  const features: unknown = cfg.features;
  if (!isRecord(features)) {
    p.add("features", `got ${show(features)}, expected an object with ${FEATURE_KEYS.join(", ")}`);
    return;
  }
  p.knownKeys("features", features, FEATURE_KEYS, "feature");
  for (const key of FEATURE_KEYS) p.expect(typeof features[key] === "boolean", `features.${key}`, features[key], "expected true or false");
  if (features.ingest === true && features.kafka !== true) {
    p.add("features.ingest", "got true, but the gateway needs features.kafka (its topics and user)");
  }
}

function checkState(p: ProblemCollector, cfg: EnvironmentConfig): void {
  p.knownKeys("state", cfg.state, STATE_KEYS);
  p.matches("state.bucket", cfg.state.bucket, S3_BUCKET, "expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)");
  if (cfg.state.dynamodbLockTable !== undefined) {
    p.matches(
      "state.dynamodbLockTable",
      cfg.state.dynamodbLockTable,
      DDB_TABLE,
      "expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)",
    );
  }
  p.matches("state.region", cfg.state.region, REGION, 'expected an AWS region such as "us-east-1"');
  p.matches("state.keyPrefix", cfg.state.keyPrefix, /^[A-Za-z0-9!_.*'()/-]{1,512}$/, "expected an S3 key prefix without spaces");
}

const IMAGE = /^[a-z0-9][a-z0-9._/-]*(:[0-9]+)?(\/[a-z0-9._-]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;

function checkIngest(p: ProblemCollector, cfg: EnvironmentConfig): void {
  const g = cfg.ingest;
  p.knownKeys("ingest", g, INGEST_KEYS);
  if (g.loadBalancer !== undefined) checkIngestLoadBalancer(p, cfg, g.loadBalancer);
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
  const cpuOk = p.number("ingest.resources.cpu", g.resources.cpu, 0.1, 16);
  p.integer("ingest.resources.memoryMiB", g.resources.memoryMiB, GATEWAY_MIN_MEMORY_MIB, 16384);
  if (p.integer("ingest.targetCpuUtilization", g.targetCpuUtilization, 10, 95) && cpuOk) {
    // The HPA must add pods before a pod saturates and sheds load (domain/ingest-gateway-sizing.ts).
    const scaleOut = hpaScaleOutCores(g.resources.cpu, g.targetCpuUtilization);
    const ceiling = GATEWAY_SATURATION_CORES * HPA_BEFORE_SHEDDING_SHARE;
    p.expect(
      scaleOut <= ceiling + 1e-9,
      "ingest.targetCpuUtilization",
      g.targetCpuUtilization,
      `with ingest.resources.cpu ${g.resources.cpu} the HPA adds pods at ${scaleOut.toFixed(2)} cores per pod, but a gateway pod saturates ` +
        `at about ${GATEWAY_SATURATION_CORES} core (one Node event loop) and answers 429 from there: keep cpu x utilization at or under ` +
        `${ceiling.toFixed(2)} cores so the HPA scales out before the pod sheds load`,
    );
  }
  p.expect(
    g.partialBatchPolicy === "reject-batch" || g.partialBatchPolicy === "accept-valid",
    "ingest.partialBatchPolicy",
    g.partialBatchPolicy,
    'expected "reject-batch" or "accept-valid"',
  );
}

/** The gateway's NLB: scheme policy (internet-facing in production only when allowed, with source ranges), certificate, CIDRs. */
function checkIngestLoadBalancer(p: ProblemCollector, cfg: EnvironmentConfig, lb: IngestLoadBalancerConfig): void {
  const at = "ingest.loadBalancer";
  if (!isRecord(lb)) {
    p.add(at, `got ${show(lb)}, expected an object with ${INGEST_LOAD_BALANCER_KEYS.join(", ")}`);
    return;
  }
  p.knownKeys(at, lb, INGEST_LOAD_BALANCER_KEYS);
  const schemeOk = p.expect(
    lb.scheme === "internal" || lb.scheme === "internet-facing",
    `${at}.scheme`,
    lb.scheme,
    'expected "internal" or "internet-facing"',
  );
  const cert = parseAcmCertificateArn(lb.certificateArn);
  if (
    p.expect(
      cert !== undefined,
      `${at}.certificateArn`,
      lb.certificateArn,
      "expected an ACM certificate ARN: arn:aws:acm:<region>:<12-digit account>:certificate/<uuid>",
    ) &&
    cert!.region !== cfg.region
  ) {
    p.add(
      `${at}.certificateArn`,
      `got a certificate in ${show(cert!.region)}, the load balancer is in ${show(cfg.region)} and can use only a certificate of its own region`,
    );
  }
  if (lb.allowInternetFacing !== undefined) {
    p.expect(typeof lb.allowInternetFacing === "boolean", `${at}.allowInternetFacing`, lb.allowInternetFacing, "expected true or false");
  }
  const ranges = lb.sourceRanges;
  if (ranges !== undefined && p.expect(Array.isArray(ranges), `${at}.sourceRanges`, ranges, "expected a list of IPv4 CIDRs")) {
    ranges.forEach((c, i) =>
      p.expect(parseCidr(c) !== undefined, `${at}.sourceRanges[${i}]`, c, "expected an IPv4 CIDR such as 203.0.113.0/24"),
    );
    if (ranges.length === 0) p.add(`${at}.sourceRanges`, "got [], omit the setting for the default or list the client CIDRs");
    if (new Set(ranges).size !== ranges.length) p.add(`${at}.sourceRanges`, `got ${show(ranges)}, CIDRs must be distinct`);
    p.expect(
      ranges.length <= SECURITY_GROUP_INBOUND_RULES,
      `${at}.sourceRanges`,
      `${ranges.length} CIDRs`,
      `the load balancer's security group gets one inbound rule per CIDR, at most ${SECURITY_GROUP_INBOUND_RULES} by default`,
    );
  }
  if (!schemeOk || lb.scheme !== "internet-facing") return;
  const open = (ranges ?? []).find(isWorldOpen);
  if (cfg.production) {
    if (lb.allowInternetFacing !== true) {
      p.add(
        `${at}.scheme`,
        'got "internet-facing", production allows an internet-facing load balancer only with allowInternetFacing: true and sourceRanges; ' +
          'use "internal" for producers inside the VPC or networks routed to it',
      );
    } else if (ranges === undefined) {
      p.add(
        `${at}.sourceRanges`,
        "got nothing, an internet-facing production load balancer needs the producers' CIDRs (it would be open to 0.0.0.0/0)",
      );
    } else if (open) {
      p.add(`${at}.sourceRanges`, `got ${show(open)}, an internet-facing production load balancer must be limited to known CIDRs`);
    }
  } else if (ranges === undefined || open) {
    p.warn(
      `${at}.sourceRanges`,
      "the ingest load balancer is open to the whole internet (allowed outside production, refused in production)",
    );
  }
}
