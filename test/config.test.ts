import { environments, findConfigProblems, validateEnvironmentConfig, ConfigValidationError } from "../config";
import { dev } from "../config/dev";
import { prod } from "../config/prod";
import { withOverrides } from "./helpers";

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
      "no budget contacts",
      withOverrides(prod, { budget: { alertEmails: [] } }),
      "prod.budget.alertEmails: got [], need at least 1 address for budget alerts",
    ],
    [
      "bad alert email",
      withOverrides(prod, { budget: { alertEmails: ["oncall-at-example"] } }),
      'prod.budget.alertEmails[0]: got "oncall-at-example", expected an email address',
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
      'prod.eks.kubernetesVersion: got "1.19", expected a supported EKS minor version',
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

  test("a world-open endpoint outside production passes config (the policy pack warns instead)", () => {
    const cfg = withOverrides(dev, { eks: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } });
    expect(findConfigProblems(cfg).problems).toEqual([]);
  });
});
