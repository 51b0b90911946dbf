import {
  environments,
  findConfigProblems,
  validateEnvironmentConfig,
  ConfigValidationError,
  EnvironmentConfig,
  NodePoolConfig,
} from "../config";
import { dev } from "../config/dev";
import { prod } from "../config/prod";
import { staging } from "../config/staging";
import { prodBeforeKarpenter } from "./fixtures/prod-before-karpenter";
import { BATCH_POOL } from "./fixtures/pools";
import { withOverrides } from "./helpers";

/** A config as an older or hand-written (untyped) file could hand the kit: no compiler between it and validation. */
const untyped = (cfg: unknown) => cfg as EnvironmentConfig;
const without = <T extends object>(obj: T, key: string): T => Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key)) as T;
const messages = (cfg: EnvironmentConfig) => findConfigProblems(cfg).problems.map((p) => `${p.path}: ${p.message}`);
const BATCH = BATCH_POOL;

describe("shipped environment configs", () => {
  test.each(environments.map((e) => [e.name, e]))("%s is valid", (_name, env) => {
    expect(findConfigProblems(env).problems).toEqual([]);
  });

  test("dev, staging and prod are all shipped", () => {
    expect(environments.map((e) => e.name)).toEqual(["dev", "staging", "prod"]);
  });
});

describe("invalid configs are rejected naming field, value and what is allowed", () => {
  const cases: [string, ReturnType<typeof withOverrides>, string][] = [
    [
      "too few spot types",
      withOverrides(prod, { nodePools: { consumers: { instanceTypes: ["m6i.xlarge"] } } }),
      "prod.nodePools.consumers.instanceTypes: got 1 type, need at least 3 for spot diversity",
    ],
    [
      "spot types of mixed sizes",
      withOverrides(prod, { nodePools: { consumers: { instanceTypes: ["m6i.xlarge", "m5.2xlarge", "m6a.xlarge"] } } }),
      'prod.nodePools.consumers.instanceTypes: got sizes ["xlarge","2xlarge"], spot types must share one size class',
    ],
    [
      "consumer pool on demand",
      withOverrides(prod, { nodePools: { consumers: { capacityType: "ON_DEMAND" } } }),
      'prod.nodePools.consumers.capacityType: got "ON_DEMAND", this pool must be "SPOT"',
    ],
    [
      "kafka pool on spot",
      withOverrides(prod, { nodePools: { kafka: { capacityType: "SPOT" } } }),
      'prod.nodePools.kafka.capacityType: got "SPOT", this pool must be "ON_DEMAND"',
    ],
    [
      "min above max",
      withOverrides(prod, { nodePools: { system: { minSize: 5, desiredSize: 5, maxSize: 4 } } }),
      "prod.nodePools.system: got min 5, desired 5, max 4; need min <= desired <= max",
    ],
    [
      "two availability zones",
      withOverrides(prod, { availabilityZones: ["us-east-1a", "us-east-1b"] }),
      'prod.availabilityZones: got ["us-east-1a","us-east-1b"], need exactly 3 zones',
    ],
    [
      "zone of another region",
      withOverrides(prod, { availabilityZones: ["us-east-1a", "us-east-1b", "eu-west-1c"] }),
      'prod.availabilityZones[2]: got "eu-west-1c", expected a zone of region "us-east-1"',
    ],
    [
      "malformed VPC CIDR",
      withOverrides(prod, { network: { vpcCidr: "10.30.0.0/33" } }),
      'prod.network.vpcCidr: got "10.30.0.0/33", expected an IPv4 CIDR from /16 to /20',
    ],
    [
      "subnet outside the VPC",
      withOverrides(prod, { network: { privateSubnetCidrs: ["10.30.64.0/18", "10.30.128.0/18", "10.99.0.0/18"] } }),
      'prod.network.privateSubnetCidrs[2]: got "10.99.0.0/18", must lie inside network.vpcCidr "10.30.0.0/16"',
    ],
    [
      "overlapping subnets",
      withOverrides(prod, { network: { privateSubnetCidrs: ["10.30.0.0/18", "10.30.128.0/18", "10.30.192.0/18"] } }),
      'prod.network.privateSubnetCidrs[0]: got "10.30.0.0/18", overlaps network.publicSubnetCidrs[0]',
    ],
    [
      "four NAT gateways",
      withOverrides(prod, { network: { natGateways: 4 } }),
      "prod.network.natGateways: got 4, expected a whole number from 1 to 3",
    ],
    [
      "world-open API endpoint in production",
      withOverrides(prod, { eks: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } }),
      'prod.eks.publicAccessCidrs: got "0.0.0.0/0", a production API endpoint must be private or limited to known CIDRs',
    ],
    [
      "public endpoint with no allow-list",
      withOverrides(dev, { eks: { endpointPublicAccess: true, publicAccessCidrs: [] } }),
      "dev.eks.publicAccessCidrs: got [], a public endpoint needs an allow-list",
    ],
    [
      "unknown instance type",
      withOverrides(prod, { nodePools: { system: { instanceTypes: ["huge-box"] } } }),
      'prod.nodePools.system.instanceTypes[0]: got "huge-box", expected an EC2 instance type',
    ],
    [
      "peak factor below 1",
      withOverrides(prod, { load: { peakFactor: 0.5 } }),
      "prod.load.peakFactor: got 0.5, expected a number from 1 to 100",
    ],
    [
      "fractional events per day",
      withOverrides(prod, { load: { eventsPerDay: 1.5 } }),
      "prod.load.eventsPerDay: got 1.5, expected a whole number",
    ],
    [
      "spot pool that is not a role pool, with one type",
      withOverrides(prod, { nodePools: { batch: { ...BATCH, instanceTypes: ["c6i.2xlarge"] } } }),
      "prod.nodePools.batch.instanceTypes: got 1 type, need at least 3 for spot diversity",
    ],
    [
      "pool name that cannot be a label value",
      withOverrides(prod, { nodePools: { Batch_Jobs: BATCH } }),
      'prod.nodePools.Batch_Jobs: got "Batch_Jobs", pool names become the node label value and node group names',
    ],
    [
      "kafka pool spread over zones in one group",
      withOverrides(prodBeforeKarpenter, { nodePools: { kafka: { nodeGroupPerAz: false } } }),
      "prod.nodePools.kafka.nodeGroupPerAz: got false, the kafka pool needs it: a broker's EBS volume is zonal",
    ],
    [
      "system pool tainted",
      withOverrides(prod, { nodePools: { system: { tainted: true } } }),
      "prod.nodePools.system.tainted: got true, the system pool must not be tainted",
    ],
    [
      "consumers pool untainted",
      withOverrides(prod, { nodePools: { consumers: { tainted: false } } }),
      "prod.nodePools.consumers.tainted: got false, the consumers pool must be tainted",
    ],
    [
      "a role pool missing",
      { ...prod, nodePools: without(prod.nodePools, "consumers") },
      "prod.nodePools.consumers: got nothing, the kit needs this pool for its consumers, executors and workers",
    ],
    [
      "a node pool setting the kit does not read",
      untyped(withOverrides(prod, { nodePools: { system: { spotPrice: "0.1" } as Partial<NodePoolConfig> } })),
      'prod.nodePools.system.spotPrice: got "0.1", no such setting in this version of the kit; known: instanceTypes, capacityType',
    ],
    [
      "an add-on the kit needs, missing",
      { ...prod, eks: { ...prod.eks, addons: without(prod.eks.addons, "aws-ebs-csi-driver") } },
      "prod.eks.addons.aws-ebs-csi-driver: got nothing, the kit needs this add-on: the gp3-encrypted StorageClass",
    ],
    [
      "an add-on version that is not one",
      withOverrides(prod, { eks: { addons: { coredns: { version: "latest" } } } }),
      'prod.eks.addons.coredns.version: got "latest", expected an add-on version such as "v1.19.2-eksbuild.1"',
    ],
    [
      "log retention CloudWatch does not offer",
      withOverrides(prod, { eks: { logRetentionDays: 10 } }),
      "prod.eks.logRetentionDays: got 10, expected one of the retention periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30",
    ],
    [
      "an allow-list on a private endpoint (it would be ignored)",
      withOverrides(prod, { eks: { publicAccessCidrs: ["203.0.113.0/24"] } }),
      'prod.eks.publicAccessCidrs: got ["203.0.113.0/24"], but eks.endpointPublicAccess is false and the list would be ignored',
    ],
    [
      "invalid state bucket",
      withOverrides(prod, { state: { bucket: "My_Bucket" } }),
      'prod.state.bucket: got "My_Bucket", expected an S3 bucket name',
    ],
    [
      "bad environment name",
      withOverrides(prod, { name: "Prod-EU" }),
      'Prod-EU.name: got "Prod-EU", expected 2-12 lowercase letters or digits',
    ],
    [
      "unsupported Kubernetes version",
      withOverrides(prod, { eks: { kubernetesVersion: "1.19" } }),
      'prod.eks.kubernetesVersion: got "1.19", expected an EKS minor version such as "1.35"',
    ],
  ];

  test.each(cases)("%s", (_label, cfg, expected) => {
    let error: unknown;
    try {
      validateEnvironmentConfig(cfg);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as Error).message).toContain(expected);
  });

  test("every problem is reported at once, not only the first", () => {
    const cfg = withOverrides(prod, { network: { natGateways: 0 }, load: { retentionDays: 0 } });
    const problems = findConfigProblems(cfg).problems.map((p) => p.path);
    expect(problems).toEqual(expect.arrayContaining(["prod.network.natGateways", "prod.load.retentionDays"]));
  });

  test("a world-open endpoint outside production is a warning, not an error (the policy pack warns too)", () => {
    const cfg = withOverrides(dev, { eks: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } });
    const check = findConfigProblems(cfg);
    expect(check.problems).toEqual([]);
    expect(check.warnings.filter((w) => w.path.startsWith("dev.eks."))).toEqual([
      {
        path: "dev.eks.publicAccessCidrs",
        message:
          'got "0.0.0.0/0", the Kubernetes API endpoint is open to the whole internet (allowed outside production, refused in production)',
      },
    ]);
  });
});

describe("settings the kit does not read are refused, naming what exists", () => {
  test("a removed feature flag (features.processing)", () => {
    const cfg = untyped({ ...dev, features: { ...dev.features, processing: true } });
    expect(messages(cfg)).toEqual(["dev.features.processing: got true, no such feature in this version of the kit; known: kafka, ingest"]);
  });

  test("a removed top-level block (budget), shown briefly", () => {
    const cfg = untyped({ ...prod, budget: { monthlyLimitUsd: 15_000, alertEmails: ["platform-oncall@example.com"] } });
    expect(messages(cfg)).toEqual([
      'prod.budget: got {"monthlyLimitUsd":15000,"alertEmails":["platform-oncall@..., no such setting in this version of the kit; ' +
        "known: name, production, region, availabilityZones, owner, network, eks, nodePools, karpenter, load, kafka, ingest, features, state, ciRunner",
    ]);
  });

  test("an old config with budget, processing, analytics and observability gets one line for each", () => {
    const old = untyped({
      ...staging,
      budget: { monthlyLimitUsd: 8_000, alertEmails: ["platform-oncall@example.com"] },
      features: { kafka: true, processing: true, analytics: true, observability: true, ingest: true },
    });
    expect(() => validateEnvironmentConfig(old)).toThrow(
      /\(4 problems\):\n {2}- staging\.budget: .*no such setting.*\n {2}- staging\.features\.processing: got true, no such feature.*\n {2}- staging\.features\.analytics: got true, no such feature.*\n {2}- staging\.features\.observability: got true, no such feature/,
    );
  });

  test("a feature that is not a boolean", () => {
    const cfg = untyped({ ...dev, features: { ...dev.features, ingest: "yes" } });
    expect(messages(cfg)).toEqual(['dev.features.ingest: got "yes", expected true or false']);
  });
});

describe("node pools and add-ons are maps: adding one is a config change", () => {
  test("an extra pool passes the generic checks", () => {
    expect(findConfigProblems(withOverrides(prod, { nodePools: { batch: BATCH } })).problems).toEqual([]);
  });

  test("an extra add-on with a pinned version passes", () => {
    const cfg = withOverrides(prod, { eks: { addons: { "eks-pod-identity-agent": { version: "v1.3.4-eksbuild.1" } } } });
    expect(findConfigProblems(cfg).problems).toEqual([]);
  });

  test("metrics-server is needed only while something the kit deploys has an HPA", () => {
    const noMetrics = { ...prod, eks: { ...prod.eks, addons: without(prod.eks.addons, "metrics-server") } };
    expect(messages(noMetrics)).toEqual([
      "prod.eks.addons.metrics-server: got nothing, the kit needs this add-on: the Kafka broker and ingest gateway HPAs scale on the CPU metrics it serves",
    ]);
    expect(messages(withOverrides(noMetrics, { features: { kafka: false, ingest: false } }))).toEqual([]);
  });
});

describe("network policy enforcement: the kit's namespaces are default-deny, so vpc-cni must enforce NetworkPolicies", () => {
  const vpcCni = (values: unknown) =>
    untyped({
      ...prod,
      eks: { ...prod.eks, addons: { ...prod.eks.addons, "vpc-cni": values === undefined ? {} : { configurationValues: values } } },
    });

  test("missing, or switched off, while features.kafka is on: refused with the reason", () => {
    const reason =
      'must be "true" while features.kafka is on: the kit\'s namespaces rely on default-deny NetworkPolicies, which nothing enforces otherwise';
    expect(messages(vpcCni(undefined))).toEqual([
      `prod.eks.addons.vpc-cni.configurationValues.enableNetworkPolicy: got nothing, ${reason}`,
    ]);
    expect(messages(vpcCni({ enableNetworkPolicy: "false" }))).toEqual([
      `prod.eks.addons.vpc-cni.configurationValues.enableNetworkPolicy: got "false", ${reason}`,
    ]);
  });

  test("a JSON boolean is refused: the add-on's schema takes the string", () => {
    expect(messages(vpcCni({ enableNetworkPolicy: true }))).toEqual([
      'prod.eks.addons.vpc-cni.configurationValues.enableNetworkPolicy: got true (a JSON boolean), the vpc-cni configuration schema takes the string "true"',
    ]);
  });

  test("without Kafka nothing requires it, other settings pass, and values must be JSON data", () => {
    const noKafka = (values: unknown) => withOverrides(vpcCni(values), { features: { kafka: false, ingest: false } });
    expect(messages(noKafka(undefined))).toEqual([]);
    expect(messages(vpcCni({ enableNetworkPolicy: "true", env: { ENABLE_PREFIX_DELEGATION: "true" } }))).toEqual([]);
    expect(messages(vpcCni("enableNetworkPolicy=true"))).toEqual([
      'prod.eks.addons.vpc-cni.configurationValues: got "enableNetworkPolicy=true", expected an object of the add-on\'s settings, such as { enableNetworkPolicy: "true" }',
    ]);
    expect(messages(noKafka({ nodeAgent: { port: Number.NaN } }))).toEqual([
      "prod.eks.addons.vpc-cni.configurationValues.nodeAgent.port: not JSON data (EKS takes the configuration as a JSON document)",
    ]);
  });

  test("every shipped environment enforces them", () => {
    for (const env of environments) expect(env.eks.addons["vpc-cni"]?.configurationValues?.enableNetworkPolicy).toBe("true");
  });
});

describe("EKS version support windows (judged on a given day)", () => {
  const on = (cfg: EnvironmentConfig, today: string) => findConfigProblems(cfg, { today });
  const lines = (c: ReturnType<typeof on>) => ({
    problems: c.problems.map((p) => `${p.path}: ${p.message}`),
    warnings: c.warnings.map((p) => `${p.path}: ${p.message}`),
  });

  test("the shipped environments run a version in standard support today, with no warning about it", () => {
    const today = new Date().toISOString().slice(0, 10);
    for (const env of environments) {
      expect(on(env, today).warnings.filter((w) => w.path.endsWith("kubernetesVersion"))).toEqual([]);
      expect(env.eks.supportType).toBe("STANDARD");
    }
  });

  test("a version in extended support with supportType STANDARD is refused, naming the date and the versions to use", () => {
    expect(lines(on(withOverrides(prod, { eks: { kubernetesVersion: "1.33" } }), "2026-11-22")).problems).toEqual([
      'prod.eks.kubernetesVersion: got "1.33", its standard support ended on 2026-07-29 and eks.supportType is "STANDARD" (EKS would upgrade the control plane on its own); use one of "1.34", "1.35", or set eks.supportType "EXTENDED" ($0.6/h instead of $0.1/h for the control plane)',
    ]);
  });

  test("with supportType EXTENDED it is a warning with the price and the end date", () => {
    const c = lines(on(withOverrides(prod, { eks: { kubernetesVersion: "1.33", supportType: "EXTENDED" } }), "2026-11-22"));
    expect(c.problems).toEqual([]);
    expect(c.warnings).toContain(
      'prod.eks.kubernetesVersion: 1.33 is in extended support since 2026-07-29 ($0.6/h instead of $0.1/h for the control plane) until 2027-07-29; upgrade to one of "1.34", "1.35"',
    );
  });

  test("standard support ending within 60 days is a warning with the date", () => {
    expect(lines(on(withOverrides(prod, { eks: { kubernetesVersion: "1.34" } }), "2026-11-22")).warnings).toContain(
      'prod.eks.kubernetesVersion: 1.34 leaves standard support on 2026-12-02; then EKS upgrades the control plane on its own. Plan the upgrade to one of "1.34", "1.35"',
    );
  });

  test("past extended support, or a version the kit has no dates for, is refused", () => {
    expect(lines(on(withOverrides(prod, { eks: { kubernetesVersion: "1.29", supportType: "EXTENDED" } }), "2026-11-22")).problems).toEqual([
      'prod.eks.kubernetesVersion: got "1.29", its extended support ended on 2026-03-23; in standard support on 2026-11-22: "1.34", "1.35"',
    ]);
    expect(lines(on(withOverrides(prod, { eks: { kubernetesVersion: "1.39" } }), "2026-11-22")).problems).toEqual([
      'prod.eks.kubernetesVersion: got "1.39", not a version the kit knows EKS support dates for (domain/eks-versions.ts); in standard support on 2026-11-22: "1.34", "1.35"',
    ]);
  });
});
