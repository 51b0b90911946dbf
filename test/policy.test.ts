import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { Aspects, TerraformStack, Testing } from "cdktf";
import {
  costTags,
  ebsEncrypted,
  eksEndpointRestricted,
  eksSecretsEncrypted,
  imdsv2Required,
  kmsKeyRotation,
  noWorldOpenIngress,
  platformRules,
  PolicyPack,
  PolicyRule,
  s3Encrypted,
  s3PublicAccessBlocked,
  snsEncrypted,
  suppressRule,
} from "../constructs/policy";
import { ConfigValidationError, findConfigProblems, validateEnvironmentConfig } from "../config";
import { dev } from "../config/dev";
import { prod } from "../config/prod";
import { synthEnvironment, withOverrides } from "./helpers";

const TAGS = { environment: "test", component: "policy", owner: "platform" };

function fixtureStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "fixture");
  new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags: TAGS }] });
  new KubernetesProvider(stack, "k8s", {});
  return stack;
}

/** Runs one rule over a fixture and returns the findings' rule ids and severities. */
function run(rule: PolicyRule, build: (s: TerraformStack) => void, production = true) {
  const stack = fixtureStack();
  build(stack);
  const pack = new PolicyPack({ rules: [rule], production, requiredTags: Object.keys(TAGS) });
  Aspects.of(stack).add(pack);
  Testing.synth(stack);
  return pack.report.violations.map((v) => ({ id: v.ruleId, severity: v.severity, message: v.message }));
}

const lt = (s: TerraformStack, encrypted: string, httpTokens: string) =>
  new LaunchTemplate(s, "lt", {
    metadataOptions: { httpTokens },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted, volumeSize: 20 } }],
  });

const nodeClass = (s: TerraformStack, encrypted: boolean, httpTokens: string) =>
  new Manifest(s, "node-class", {
    manifest: {
      apiVersion: "karpenter.k8s.aws/v1",
      kind: "EC2NodeClass",
      metadata: { name: "pool" },
      spec: {
        metadataOptions: { httpTokens },
        blockDeviceMappings: [{ deviceName: "/dev/xvda", rootVolume: true, ebs: { volumeSize: "50Gi", volumeType: "gp3", encrypted } }],
      },
    },
  });

const bucketWith = (
  s: TerraformStack,
  opts: {
    sse?: boolean;
    pab?: Partial<Record<"blockPublicAcls" | "blockPublicPolicy" | "ignorePublicAcls" | "restrictPublicBuckets", boolean>>;
  },
) => {
  const b = new S3Bucket(s, "bucket", { bucketPrefix: "fixture" });
  if (opts.sse) {
    new S3BucketServerSideEncryptionConfigurationA(s, "sse", {
      bucket: b.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
    });
  }
  if (opts.pab) new S3BucketPublicAccessBlock(s, "pab", { bucket: b.id, ...opts.pab });
};
const ALL_BLOCKED = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };

const eks = (s: TerraformStack, opts: { encrypt?: boolean; publicCidrs?: string[] }) =>
  new EksCluster(s, "eks", {
    name: "c",
    roleArn: "arn:aws:iam::123456789012:role/r",
    vpcConfig: { subnetIds: ["subnet-1"], endpointPublicAccess: opts.publicCidrs !== undefined, publicAccessCidrs: opts.publicCidrs },
    encryptionConfig: opts.encrypt
      ? { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:us-east-1:123456789012:key/k" } }
      : undefined,
  });

describe.each<[string, PolicyRule, (s: TerraformStack) => void, (s: TerraformStack) => void]>([
  [
    "EBS volume",
    ebsEncrypted,
    (s) => new EbsVolume(s, "v", { availabilityZone: "us-east-1a", size: 10, encrypted: true }),
    (s) => new EbsVolume(s, "v", { availabilityZone: "us-east-1a", size: 10 }),
  ],
  ["launch template root volume", ebsEncrypted, (s) => lt(s, "true", "required"), (s) => lt(s, "false", "required")],
  ["Karpenter EC2NodeClass root volume", ebsEncrypted, (s) => nodeClass(s, true, "required"), (s) => nodeClass(s, false, "required")],
  [
    "EBS CSI storage class",
    ebsEncrypted,
    (s) =>
      new StorageClassV1(s, "sc", { metadata: { name: "a" }, storageProvisioner: "ebs.csi.aws.com", parameters: { encrypted: "true" } }),
    (s) => new StorageClassV1(s, "sc", { metadata: { name: "a" }, storageProvisioner: "ebs.csi.aws.com", parameters: { type: "gp3" } }),
  ],
  ["S3 encryption", s3Encrypted, (s) => bucketWith(s, { sse: true, pab: ALL_BLOCKED }), (s) => bucketWith(s, { pab: ALL_BLOCKED })],
  [
    "S3 public access",
    s3PublicAccessBlocked,
    (s) => bucketWith(s, { sse: true, pab: ALL_BLOCKED }),
    (s) => bucketWith(s, { sse: true, pab: { ...ALL_BLOCKED, restrictPublicBuckets: false } }),
  ],
  ["SNS encryption", snsEncrypted, (s) => new SnsTopic(s, "t", { kmsMasterKeyId: "alias/sns" }), (s) => new SnsTopic(s, "t", {})],
  ["EKS secrets", eksSecretsEncrypted, (s) => eks(s, { encrypt: true }), (s) => eks(s, {})],
  ["IMDSv2", imdsv2Required, (s) => lt(s, "true", "required"), (s) => lt(s, "true", "optional")],
  ["IMDSv2 on Karpenter nodes", imdsv2Required, (s) => nodeClass(s, true, "required"), (s) => nodeClass(s, true, "optional")],
  [
    "world-open ingress (inline)",
    noWorldOpenIngress,
    (s) => new SecurityGroup(s, "sg", { ingress: [{ fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["10.0.0.0/16"] }] }),
    (s) => new SecurityGroup(s, "sg", { ingress: [{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }] }),
  ],
  [
    "world-open ingress (rule resource)",
    noWorldOpenIngress,
    (s) =>
      new VpcSecurityGroupIngressRule(s, "r", {
        securityGroupId: "sg-1",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "10.0.0.0/8",
      }),
    (s) => new VpcSecurityGroupIngressRule(s, "r", { securityGroupId: "sg-1", ipProtocol: "-1", cidrIpv6: "::/0" }),
  ],
  [
    "EKS endpoint",
    eksEndpointRestricted,
    (s) => eks(s, { encrypt: true, publicCidrs: ["203.0.113.0/24"] }),
    (s) => eks(s, { encrypt: true, publicCidrs: ["0.0.0.0/0"] }),
  ],
  ["KMS rotation", kmsKeyRotation, (s) => new KmsKey(s, "k", { enableKeyRotation: true }), (s) => new KmsKey(s, "k", {})],
  [
    "cost tags",
    costTags,
    (s) => new SnsTopic(s, "t", { kmsMasterKeyId: "alias/sns" }),
    (s) => new SnsTopic(s, "t", { kmsMasterKeyId: "alias/sns", tags: { owner: "" } }),
  ],
])("%s", (_label, rule, compliant, violating) => {
  test("compliant fixture passes", () => {
    expect(run(rule, compliant)).toEqual([]);
  });
  test("non-compliant fixture is reported as an error", () => {
    expect(run(rule, violating)).toEqual([expect.objectContaining({ id: rule.id, severity: "error" })]);
  });
});

describe("policy pack behaviour", () => {
  test("every rule has a unique id, a title and an explanation", () => {
    expect(new Set(platformRules.map((r) => r.id)).size).toBe(platformRules.length);
    for (const r of platformRules) expect(r.title.length > 10 && r.explanation.length > 20).toBe(true);
  });

  test("an error fails synth, naming the resource path and the rule", () => {
    const stack = fixtureStack();
    new KmsKey(stack, "unrotated", {});
    Aspects.of(stack).add(new PolicyPack({ rules: platformRules, production: true, requiredTags: [] }));
    expect(() => Testing.fullSynth(stack)).toThrow(/\[fixture\/unrotated\] KMS_KEY_ROTATION \(error\)/);
  });

  test("a world-open endpoint outside production is a warning, not an error", () => {
    const found = run(eksEndpointRestricted, (s) => eks(s, { encrypt: true, publicCidrs: ["0.0.0.0/0"] }), false);
    expect(found).toEqual([expect.objectContaining({ severity: "warning" })]);
  });

  test("a missing cost tag names the tag", () => {
    const [finding] = run(
      costTags,
      (s) => new SnsTopic(s, "t", { kmsMasterKeyId: "k", provider: new AwsProvider(s, "bare", { region: "us-east-1", alias: "bare" }) }),
    );
    expect(finding.message).toContain("missing tags environment, component, owner");
  });

  test("a suppression needs a reason of at least 10 characters", () => {
    const stack = fixtureStack();
    const key = new KmsKey(stack, "k", {});
    expect(() => suppressRule(key, "KMS_KEY_ROTATION", "because")).toThrow(/reason "because" is too short/);
  });

  test("a suppressed finding does not fail synth and is listed with its reason", () => {
    const stack = fixtureStack();
    const key = new KmsKey(stack, "k", {});
    suppressRule(key, "KMS_KEY_ROTATION", "imported key, rotated by the security team's own process");
    const pack = new PolicyPack({ rules: platformRules, production: true, requiredTags: [] });
    Aspects.of(stack).add(pack);
    expect(() => Testing.fullSynth(stack)).not.toThrow();
    expect(pack.report.suppressed).toEqual([
      { ruleId: "KMS_KEY_ROTATION", path: "fixture/k", reason: "imported key, rotated by the security team's own process" },
    ]);
  });
});

describe("a world-open EKS endpoint: config owns the policy, the pack audits the output", () => {
  const worldOpen = { eks: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } };

  test("dev: config warns, synth succeeds, and the policy report carries the EKS_ENDPOINT_RESTRICTED warning", () => {
    const cfg = withOverrides(dev, worldOpen);
    const check = findConfigProblems(cfg);
    expect(check.problems).toEqual([]);
    expect(check.warnings.map((w) => w.path).filter((p) => p.startsWith("dev.eks."))).toEqual(["dev.eks.publicAccessCidrs"]);

    const { stacks, out } = synthEnvironment(validateEnvironmentConfig(cfg));
    expect(out.eks.resource.aws_eks_cluster).toBeDefined();
    expect(stacks.policy.report.violations).toEqual([
      expect.objectContaining({
        ruleId: "EKS_ENDPOINT_RESTRICTED",
        severity: "warning",
        path: "dev-eks/cluster/cluster",
        message: expect.stringContaining("public endpoint open to 0.0.0.0/0"),
      }),
    ]);
  });

  test("prod: config refuses it before any construct exists", () => {
    expect(() => validateEnvironmentConfig(withOverrides(prod, worldOpen))).toThrow(ConfigValidationError);
    expect(() => validateEnvironmentConfig(withOverrides(prod, worldOpen))).toThrow(
      'prod.eks.publicAccessCidrs: got "0.0.0.0/0", a production API endpoint must be private or limited to known CIDRs',
    );
  });
});
