import { Testing } from "cdktf";
import { environments, findConfigProblems } from "../config";
import { dev } from "../config/dev";
import { prod } from "../config/prod";
import { controllerPolicyStatements, INTERRUPTION_EVENTS, KarpenterAws } from "../constructs/karpenter/karpenter-aws";
import { KarpenterNodePool, KarpenterNodePoolProps } from "../constructs/karpenter/node-pool";
import { KARPENTER, KARPENTER_CRD } from "../domain/charts";
import { clusterNameOf } from "../domain/names";
import { NODE_POOL_LABEL } from "../domain/node-pools";
import { KitStack } from "../stacks/kit-stack";
import { readSynthOutput, runPlanChecks } from "../tools/plan-checks";
import { crdInstalledFirst } from "../tools/plan-checks/checks/crd-installed-first";
import { workloadsSchedulable } from "../tools/plan-checks/checks/workloads-schedulable";
import { prodBeforeKarpenter } from "./fixtures/prod-before-karpenter";
import { Json, manifests, resources, synthEnvironment, withOverrides } from "./helpers";
import { helmReleaseProblems } from "./helm-values";
import { karpenterCrdsPresent, karpenterSchemaErrors } from "./karpenter-schemas";

/**
 * Karpenter: the AWS side (IRSA, node role and access entry, interruption
 * queue and rules, discovery tags), the two Helm releases, the NodePools and
 * EC2NodeClasses, the stack order, and the plan-time checks that guard them.
 */

const cluster = clusterNameOf(prod.name);
const { out, manifest } = synthEnvironment(prod);
const k = out.karpenter;
// Karpenter's AWS side lives in the EKS stack: the in-cluster stacks' runner creates no AWS resources.
const kAws = out.eks;
const releases = resources(k, "helm_release");
const release = (chart: string) => releases.find((r) => r.chart === chart)!;
const values = (chart: string) => JSON.parse(release(chart).values[0]);
const nodeObjects = manifests(out["node-pools"]);
const nodePool = (name: string) => nodeObjects.find((m) => m.kind === "NodePool" && m.metadata.name === name)!;
const nodeClass = (name: string) => nodeObjects.find((m) => m.kind === "EC2NodeClass" && m.metadata.name === name)!;
const policyDocs = kAws.data.aws_iam_policy_document as Record<string, Json>;

describe("Helm: karpenter-crd, then the controller with skip_crds", () => {
  test("both charts at the registry's version, CRDs first and upgraded with the chart", () => {
    expect(releases.map((r) => [r.name, r.chart, r.version, r.repository, r.namespace])).toEqual(
      expect.arrayContaining([
        ["karpenter-crd", "karpenter-crd", KARPENTER_CRD.version, KARPENTER_CRD.repository, "karpenter"],
        ["karpenter", "karpenter", KARPENTER.version, KARPENTER.repository, "karpenter"],
      ]),
    );
    expect(KARPENTER.version).toBe("1.14.1");
    expect(KARPENTER_CRD.crdInstall).toBe("templates");
    expect(release("karpenter").skip_crds).toBe(true);
    expect(release("karpenter-crd").skip_crds).toBeUndefined();
    expect(release("karpenter").depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^helm_release\.karpenter_crds_/)]));
  });

  test("settings: cluster name and endpoint, interruption queue, IRSA role", () => {
    const v = values("karpenter");
    expect(v.settings.clusterName).toMatch(/terraform_remote_state.*eks.*name/);
    expect(v.settings.clusterEndpoint).toMatch(/terraform_remote_state.*endpoint/);
    // From the EKS stack, where the queue and the role are made.
    expect(v.settings.interruptionQueue).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-prod-eks\.outputs\./);
    expect(v.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toMatch(
      /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-prod-eks\.outputs\./,
    );
    expect(v.settings.featureGates).toEqual({ spotToSpotConsolidation: true });
  });

  test("the controller runs on the system node group, never on a node it launched, one per node", () => {
    const v = values("karpenter");
    expect(v.nodeSelector).toEqual({ [NODE_POOL_LABEL]: "system" });
    const [term] = v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(term.matchExpressions).toEqual([
      { key: "karpenter.sh/nodepool", operator: "DoesNotExist" },
      { key: "eks.amazonaws.com/nodegroup", operator: "Exists" },
      { key: NODE_POOL_LABEL, operator: "In", values: ["system"] },
    ]);
    expect(v.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([{ topologyKey: "kubernetes.io/hostname" }]);
    // The system pool is untainted: the chart's own tolerations stay.
    expect(v.tolerations).toBeUndefined();
    expect(v.dnsPolicy).toBe("Default");
  });

  test("every value path the kit sets is one of the chart's values.yaml at v1.14.1; a typo is caught", () => {
    expect(releases.flatMap((r) => helmReleaseProblems(r))).toEqual([]);
    const v = values("karpenter");
    const typo = { ...release("karpenter"), values: [JSON.stringify({ ...v, settings: { ...v.settings, interuptionQueue: "q" } })] };
    expect(helmReleaseProblems(typo)).toEqual([
      expect.stringMatching(
        /^helm_release karpenter: karpenter 1\.14\.1: settings\.interuptionQueue is not a value path of the chart .*\(did you mean settings\.interruptionQueue\?\)$/,
      ),
    ]);
  });

  test("the controller starts after its IAM, the queue policy and the node access entry (the EKS stack, applied first)", () => {
    expect(manifest.stacks["prod-karpenter"].dependencies).toContain("prod-eks");
    for (const type of ["aws_iam_role_policy_attachment", "aws_sqs_queue_policy", "aws_eks_access_entry", "aws_ec2_tag"]) {
      expect(resources(k, type)).toEqual([]);
      expect(resources(kAws, type).length).toBeGreaterThan(0);
    }
  });
});

describe("AWS: IRSA, node role, interruption queue, discovery tags", () => {
  test("the controller role trusts exactly karpenter/karpenter through the cluster's OIDC provider", () => {
    const trust = Object.entries(policyDocs).find(([name]) => name.includes("karpenter-aws_controller-role_trust"))![1];
    const conditions = trust.statement[0].condition;
    expect(conditions.map((c: Json) => c.values[0])).toEqual(["system:serviceaccount:karpenter:karpenter", "sts.amazonaws.com"]);
  });

  test("three controller policies with Karpenter's scoped statements, plus the spot service-linked role", () => {
    const sids = (key: string) =>
      Object.entries(policyDocs)
        .find(([name]) => name.includes(`controller-${key}-doc`))![1]
        .statement.map((s: Json) => s.sid);
    expect(sids("node-lifecycle")).toEqual([
      "AllowScopedEC2InstanceAccessActions",
      "AllowScopedEC2LaunchTemplateAccessActions",
      "AllowScopedEC2InstanceActionsWithTags",
      "AllowScopedResourceCreationTagging",
      "AllowScopedResourceTagging",
      "AllowScopedDeletion",
    ]);
    expect(sids("iam-integration")).toContain("AllowSpotServiceLinkedRole");
    expect(sids("cluster-integration")).toEqual(
      expect.arrayContaining(["AllowInterruptionQueueActions", "AllowRegionalReadActions", "AllowAPIServerEndpointDiscovery"]),
    );
    expect(resources(kAws, "aws_iam_role_policy_attachment").filter((a) => /controller-policy/.test(JSON.stringify(a)))).toHaveLength(3);
  });

  test("each controller policy stays under IAM's 6,144-character limit for managed policies", () => {
    // IAM counts the policy without whitespace; real values are as long as these.
    const docs = controllerPolicyStatements({
      partition: "aws-us-gov",
      account: "123456789012",
      region: "ap-southeast-2",
      clusterName: "staging-streaming",
      clusterTag: "kubernetes.io/cluster/staging-streaming",
      nodeRoleArn: "arn:aws:iam::123456789012:role/staging-streaming-karpenter-node-20260101000000000000000001",
      queueArn: "arn:aws:sqs:ap-southeast-2:123456789012:staging-streaming-karpenter",
    });
    for (const [key, statements] of Object.entries(docs)) {
      const iam = {
        Version: "2012-10-17",
        Statement: statements.map((s) => ({
          Sid: s.sid,
          Effect: s.effect,
          Action: s.actions,
          Resource: s.resources,
          Condition: (s.condition as Json[] | undefined)?.reduce(
            (acc: Json, c: Json) => ({ ...acc, [c.test]: { ...acc[c.test], [c.variable]: c.values } }),
            {},
          ),
        })),
      };
      expect([key, JSON.stringify(iam).length < 6144]).toEqual([key, true]);
    }
  });

  test("the node role: its own EC2_LINUX access entry, and what nodes need", () => {
    const [entry] = resources(kAws, "aws_eks_access_entry");
    expect(entry).toMatchObject({
      type: "EC2_LINUX",
      principal_arn: expect.stringMatching(/^\$\{aws_iam_role\.karpenter-aws_node-role.*\.arn\}$/),
    });
    expect(entry.kubernetes_groups).toBeUndefined();
    const policies = resources(kAws, "aws_iam_role_policy_attachment")
      .filter((a) => a.role.includes("karpenter-aws_node-role"))
      .map((a) => a.policy_arn.split("/").pop());
    expect(policies.sort()).toEqual([
      "AmazonEC2ContainerRegistryPullOnly",
      "AmazonEKSWorkerNodePolicy",
      "AmazonEKS_CNI_Policy",
      "AmazonSSMManagedInstanceCore",
    ]);
  });

  test("interruption queue: SSE, 5-minute retention, send from EventBridge only, TLS only", () => {
    const [queue] = resources(kAws, "aws_sqs_queue");
    expect(queue).toMatchObject({ name: `${cluster}-karpenter`, sqs_managed_sse_enabled: true, message_retention_seconds: 300 });
    const policy = Object.entries(policyDocs).find(([name]) => name.includes("interruption-queue-policy-doc"))![1];
    expect(policy.statement[0]).toMatchObject({
      effect: "Allow",
      actions: ["sqs:SendMessage"],
      principals: [{ type: "Service", identifiers: ["events.amazonaws.com", "sqs.amazonaws.com"] }],
    });
    expect(policy.statement[1]).toMatchObject({
      effect: "Deny",
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
  });

  test("EventBridge rules for spot interruption, rebalance, instance state change and scheduled health events, all into the queue", () => {
    const rules = resources(kAws, "aws_cloudwatch_event_rule").map((r) => JSON.parse(r.event_pattern));
    expect(rules).toEqual(
      expect.arrayContaining([
        { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] },
        { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] },
        { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
        { source: ["aws.health"], "detail-type": ["AWS Health Event"] },
      ]),
    );
    const targets = resources(kAws, "aws_cloudwatch_event_target");
    expect(targets).toHaveLength(INTERRUPTION_EVENTS.length);
    for (const t of targets) expect(t.arn).toMatch(/^\$\{aws_sqs_queue\..*\.arn\}$/);
  });

  test("discovery: the private subnets and the cluster security group carry karpenter.sh/discovery=<cluster>, which the EC2NodeClasses select", () => {
    const subnets = resources(out.network, "aws_subnet");
    const tagged = subnets.filter((s) => s.tags["karpenter.sh/discovery"] === cluster).map((s) => s.cidr_block);
    expect(tagged).toEqual(prod.network.privateSubnetCidrs);
    const [sgTag] = resources(kAws, "aws_ec2_tag");
    expect(sgTag).toMatchObject({
      key: "karpenter.sh/discovery",
      value: cluster,
      resource_id: expect.stringMatching(/cluster_security_group_id/),
    });
    for (const c of nodeObjects.filter((m) => m.kind === "EC2NodeClass")) {
      expect(c.spec.subnetSelectorTerms).toEqual([{ tags: { "karpenter.sh/discovery": cluster } }]);
      expect(c.spec.securityGroupSelectorTerms).toEqual([{ tags: { "karpenter.sh/discovery": cluster } }]);
    }
  });

  test("an environment without Karpenter pools tags nothing and has no Karpenter stacks", () => {
    const cfg = withOverrides(prodBeforeKarpenter, {});
    const s = synthEnvironment(cfg);
    expect(s.out.karpenter).toBeUndefined();
    expect(s.out["node-pools"]).toBeUndefined();
    expect(resources(s.out.network, "aws_subnet").some((x) => "karpenter.sh/discovery" in x.tags)).toBe(false);
  });
});

describe("NodePools and EC2NodeClasses from the config's pools", () => {
  test("one of each per Karpenter pool, labelled and tainted exactly as the node groups", () => {
    for (const [name, pool] of Object.entries(prod.nodePools).filter(([, p]) => p.karpenter)) {
      const np = nodePool(name);
      expect(np.spec.template.metadata.labels).toEqual({ [NODE_POOL_LABEL]: name });
      expect(np.spec.template.spec.taints).toEqual(
        pool.tainted ? [{ key: NODE_POOL_LABEL, value: name, effect: "NoSchedule" }] : undefined,
      );
      expect(np.spec.template.spec.nodeClassRef).toEqual({ group: "karpenter.k8s.aws", kind: "EC2NodeClass", name });
      const types = np.spec.template.spec.requirements.find((r: Json) => r.key === "node.kubernetes.io/instance-type");
      expect(types.values).toEqual(pool.instanceTypes);
      expect(np.spec.limits).toEqual({ cpu: String(pool.karpenter!.limits.cpu), memory: `${pool.karpenter!.limits.memoryGiB}Gi` });
      expect(np.spec.template.spec.requirements).toContainEqual({
        key: "topology.kubernetes.io/zone",
        operator: "In",
        values: prod.availabilityZones,
      });
    }
  });

  test("kafka: only empty nodes go, one at a time, never expired; brokers and controllers carry do-not-disrupt", () => {
    const np = nodePool("kafka");
    expect(np.spec.disruption).toEqual({ consolidationPolicy: "WhenEmpty", consolidateAfter: "30m", budgets: [{ nodes: "1" }] });
    expect(np.spec.template.spec.expireAfter).toBe("Never");
    // Without a terminationGracePeriod, a do-not-disrupt pod also blocks drift under it (karpenter.sh annotations reference).
    expect(np.spec.template.spec.terminationGracePeriod).toBeUndefined();
    const pools = manifests(out.kafka).filter((m) => m.kind === "KafkaNodePool");
    expect(pools.map((p) => p.spec.template.pod.metadata.annotations)).toEqual([
      { "karpenter.sh/do-not-disrupt": "true" },
      { "karpenter.sh/do-not-disrupt": "true" },
    ]);
  });

  test("consumers: spot from several types, at least 3 kept in every launch, consolidated when underutilized", () => {
    const np = nodePool("consumers");
    const types = np.spec.template.spec.requirements.find((r: Json) => r.key === "node.kubernetes.io/instance-type");
    expect(types.minValues).toBe(3);
    expect(np.spec.template.spec.requirements).toContainEqual({ key: "karpenter.sh/capacity-type", operator: "In", values: ["spot"] });
    expect(np.spec.disruption.consolidationPolicy).toBe("WhenEmptyOrUnderutilized");
    expect(np.spec.template.spec.terminationGracePeriod).toBe("2h");
  });

  test("EC2NodeClass: IMDSv2 only with hop limit 2 and encrypted gp3 root volumes, as the launch templates; cost tags on instances", () => {
    const [lt] = resources(out.eks, "aws_launch_template");
    for (const name of ["system", "kafka", "consumers"]) {
      const c = nodeClass(name);
      expect(c.spec.metadataOptions).toEqual({
        httpEndpoint: "enabled",
        httpProtocolIPv6: "disabled",
        httpPutResponseHopLimit: lt.metadata_options.http_put_response_hop_limit,
        httpTokens: "required",
      });
      expect(c.spec.blockDeviceMappings).toEqual([
        {
          deviceName: "/dev/xvda",
          rootVolume: true,
          ebs: { volumeSize: `${prod.nodePools[name].diskSizeGiB}Gi`, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
        },
      ]);
      expect(c.spec.amiSelectorTerms).toEqual([{ alias: prod.karpenter!.amiAlias }]);
      expect(c.spec.role).toMatch(/terraform_remote_state.*karpenter.*node-role.*name/);
      expect(c.spec.tags).toMatchObject({ environment: "prod", owner: prod.owner, component: "eks-nodes" });
    }
  });

  test.each(environments.map((e) => [e.name, e]))(
    "%s: every NodePool and EC2NodeClass passes the CRD schema and its CEL rules",
    (_n, env) => {
      const objects = manifests(synthEnvironment(env).out["node-pools"]);
      expect(objects).toHaveLength(6);
      expect(objects.flatMap((o) => karpenterSchemaErrors(o).map((e) => `${o.kind}/${o.metadata.name}: ${e}`))).toEqual([]);
    },
  );

  test("the schema check is not vacuous", () => {
    const np = nodePool("consumers");
    const broken = {
      ...np,
      spec: {
        ...np.spec,
        disruption: { ...np.spec.disruption, consolidateAfter: "5 minutes", consolidation: "WhenEmpty" },
        template: {
          ...np.spec.template,
          spec: {
            ...np.spec.template.spec,
            requirements: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: ["m6i.xlarge"], minValues: 3 }],
          },
        },
      },
    };
    const errors = karpenterSchemaErrors(broken);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/consolidateAfter must match pattern/),
        expect.stringMatching(/must NOT have additional properties/),
        "requirements with 'minValues' must have at least that many values specified in the 'values' field",
      ]),
    );
    const nc = nodeClass("kafka");
    expect(
      karpenterSchemaErrors({ ...nc, spec: { ...nc.spec, instanceProfile: "x", tags: { "kubernetes.io/cluster/x": "owned" } } }),
    ).toEqual(
      expect.arrayContaining(["must specify exactly one of ['role', 'instanceProfile']", 'tag "kubernetes.io/cluster/x" is restricted']),
    );
  });

  (karpenterCrdsPresent ? test : test.skip)("with KARPENTER_CRD_DIR: the CRDs' own schemas know every field the kit sets", () => {
    const np = nodePool("kafka");
    expect(karpenterSchemaErrors(np)).toEqual([]);
    const typo = {
      ...np,
      spec: { ...np.spec, template: { ...np.spec.template, spec: { ...np.spec.template.spec, expiresAfter: "Never" } } },
    };
    expect(karpenterSchemaErrors(typo)).toContain("CRD schema: .spec.template.spec.expiresAfter is not a field of the CRD schema");
  });
});

describe("the construct refuses what the API server would", () => {
  const props: KarpenterNodePoolProps = {
    pool: { name: "consumers", tainted: true },
    nodeRoleName: "role",
    discoveryTag: { key: "karpenter.sh/discovery", value: "c" },
    amiAlias: "al2023@v20260714",
    instanceTypes: ["m6i.xlarge", "m5.xlarge", "m6a.xlarge"],
    capacityType: "SPOT",
    zones: ["us-east-1a"],
    diskSizeGiB: 50,
    limits: { cpu: 10, memoryGiB: 40 },
    disruption: "stateless",
    tags: { owner: "x" },
  };
  const make = (over: Partial<KarpenterNodePoolProps>) => () => new KarpenterNodePool(Testing.app(), "p", { ...props, ...over });

  test("spot with fewer types than minValues, reserved tag keys, a bad alias", () => {
    expect(make({ instanceTypes: ["m6i.xlarge", "m5.xlarge"] })).toThrow(/p: instanceTypes: got 2, minValues 3 needs at least that many/);
    expect(make({ tags: { "kubernetes.io/cluster/c": "owned" } })).toThrow(
      /tags \["kubernetes.io\/cluster\/c"\] are keys Karpenter sets itself/,
    );
    expect(make({ amiAlias: "latest" })).toThrow(/amiAlias "latest" must be an EC2NodeClass alias/);
    expect(make({ limits: { cpu: 0.5, memoryGiB: 40 } })).toThrow(/limits.cpu: got 0.5, expected a whole number >= 1/);
  });

  test("a cluster name too long for the IAM role name prefix", () => {
    const app = Testing.app();
    const stack = new KitStack(app, { env: prod, layer: "x", stateBackend: "local" });
    const c = {
      clusterName: "c",
      endpoint: "https://e",
      certificateAuthorityData: "",
      oidcProviderArn: "arn",
      oidcIssuerUrl: "https://o",
      region: "us-east-1",
      serviceIpv4Cidr: "172.20.0.0/16",
    };
    expect(
      () =>
        new KarpenterAws(stack, "k", {
          cluster: c,
          clusterName: "a-very-long-cluster-name-x",
          clusterSecurityGroupId: "sg",
          namespace: "karpenter",
          serviceAccount: "karpenter",
        }),
    ).toThrow(/prod-x\/k: clusterName "a-very-long-cluster-name-x" must be 1-22 lowercase letters/);
  });
});

describe("config", () => {
  const messages = (cfg: typeof prod) => findConfigProblems(cfg).problems.map((p) => `${p.path}: ${p.message}`);

  test("Karpenter pools need the installation block; it needs a pinned AMI in production", () => {
    const { karpenter: _k, ...without } = prod;
    expect(messages(without)).toContainEqual(expect.stringMatching(/^prod\.karpenter: got nothing, a pool has a karpenter block/));
    expect(messages(withOverrides(prod, { karpenter: { amiAlias: "al2023@latest" } }))).toEqual([
      expect.stringMatching(/^prod\.karpenter\.amiAlias: got "al2023@latest", AMI "latest" replaces every Karpenter node/),
    ]);
    const devLatest = findConfigProblems(withOverrides(dev, { karpenter: { amiAlias: "al2023@latest" } }));
    expect(devLatest.problems).toEqual([]);
    expect(devLatest.warnings.map((w) => w.path).filter((p) => !p.startsWith("dev.ciRunner."))).toEqual(["dev.karpenter.amiAlias"]);
    expect(messages(withOverrides(prodBeforeKarpenter, { karpenter: { amiAlias: "al2023@v20260714" } }))).toContainEqual(
      expect.stringMatching(/^prod\.karpenter: got .*, but no pool has a karpenter block/),
    );
  });

  test("the system pool keeps its node group; kafka must be stateful; node-group sizes on a Karpenter pool are refused", () => {
    const system = withOverrides(prod, { nodePools: { system: { provisioner: "karpenter" } } }) as typeof prod;
    expect(messages(system)).toContainEqual(
      expect.stringMatching(
        /^prod\.nodePools\.system\.provisioner: got "karpenter", the system pool must keep its node group: it runs the Karpenter controller/,
      ),
    );
    expect(messages(withOverrides(prod, { nodePools: { kafka: { karpenter: { disruption: "stateless" } } } }))).toEqual([
      expect.stringMatching(/^prod\.nodePools\.kafka\.karpenter\.disruption: got "stateless", the kafka pool must be "stateful"/),
    ]);
    expect(messages(withOverrides(prod, { nodePools: { consumers: { maxSize: 30 } } } as any))).toEqual([
      'prod.nodePools.consumers.maxSize: got 30, a pool with provisioner "karpenter" has no node group; Karpenter sizes it up to karpenter.limits',
    ]);
    expect(
      messages(withOverrides(prod, { nodePools: { consumers: { karpenter: { limits: { cpu: 0, memoryGiB: 480, gpu: 1 } } } } } as any)),
    ).toEqual([
      expect.stringMatching(/^prod\.nodePools\.consumers\.karpenter\.limits\.gpu: got 1, no such setting/),
      "prod.nodePools.consumers.karpenter.limits.cpu: got 0, expected a whole number from 1 to 100000",
    ]);
  });
});

describe("plan-time checks", () => {
  test("WORKLOADS_SCHEDULABLE finds the gap in today's prod on its synthesized output", () => {
    const findings = workloadsSchedulable.run(readSynthOutput(synthEnvironment(prodBeforeKarpenter).outdir));
    expect(findings.map((f) => [f.stack, f.address.split(".")[0], f.message.split(":")[0]])).toEqual([
      ["prod-eks", "aws_eks_node_group", "pool kafka"],
      ["prod-eks", "aws_eks_node_group", "pool system"],
    ]);
    expect(findings[0].message).toContain(
      "3 KafkaNodePool/brokers pods stay Pending: at their autoscaler maximums the pods need 12 r6i.2xlarge nodes (4 / 4 / 4 per zone)",
    );
    expect(findings[1].message).toContain("3 Deployment/ingest-gateway pods stay Pending");
  });

  test("WORKLOADS_SCHEDULABLE passes every shipped environment, and catches NodePool limits too small", () => {
    for (const env of environments) expect(workloadsSchedulable.run(readSynthOutput(synthEnvironment(env).outdir))).toEqual([]);
    const { outdir } = synthEnvironment({
      ...prod,
      nodePools: {
        ...prod.nodePools,
        kafka: { ...prod.nodePools.kafka, karpenter: { limits: { cpu: 48, memoryGiB: 384 }, disruption: "stateful" } },
      },
    });
    const [finding] = workloadsSchedulable.run(readSynthOutput(outdir));
    expect(finding).toMatchObject({
      stack: "prod-node-pools",
      message: expect.stringMatching(
        /^pool kafka: Karpenter would need 12 r6i\.2xlarge nodes = 96 vCPU \/ 768 GiB, past the NodePool limits of 48 vCPU \/ 384 GiB/,
      ),
    });
  });

  test("CRD_INSTALLED_FIRST: the NodePools' stack depends on the karpenter stack; without it, or with only the skip_crds release, the check fires", () => {
    expect(manifest.stacks["prod-node-pools"].dependencies).toContain("prod-karpenter");
    const synth = readSynthOutput(synthEnvironment(prod).outdir);
    expect(runPlanChecks(synth, [crdInstalledFirst])).toEqual([]);
    const cut = (name: string, f: (s: any) => any) => ({
      ...synth,
      stacks: new Map([...synth.stacks].map(([n, s]) => [n, n === name ? f(s) : s])),
    });
    const noDependency = cut("prod-node-pools", (s) => ({
      ...s,
      dependencies: s.dependencies.filter((d: string) => d !== "prod-karpenter"),
    }));
    expect(crdInstalledFirst.run(noDependency)).toHaveLength(6);
    const noCrdChart = cut("prod-karpenter", (s) => {
      const helm = Object.fromEntries(Object.entries(s.json.resource.helm_release).filter(([, r]: any) => r.chart !== "karpenter-crd"));
      return { ...s, json: { ...s.json, resource: { ...s.json.resource, helm_release: helm } } };
    });
    const findings = crdInstalledFirst.run(noCrdChart);
    expect(findings).toHaveLength(6);
    expect(findings[0].message).toMatch(/no stack installs this CRD group/);
  });

  test("the kafka stack waits for the node pools (brokers need their NodePool to get nodes)", () => {
    expect(manifest.stacks["prod-kafka"].dependencies).toContain("prod-node-pools");
  });
});
