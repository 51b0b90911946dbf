import { Aspects, TerraformStack, Testing } from "cdktf";
import { findConfigProblems } from "../config";
import { staging } from "../config/staging";
import { EnvironmentConfig } from "../config/types";
import { HelmChart } from "../constructs/helm/helm-chart";
import { PolicyPack, PolicyRule, platformRules } from "../constructs/policy";
import { TOPIC_CATALOG, TopicDefinition } from "../domain/event-catalog";
import { NODE_POOL_LABEL } from "../domain/node-pools";
import { buildEnvironment } from "../stacks/environment";
import { readSynthOutput, runPlanChecks } from "../tools/plan-checks";
import { chartReferencesPresent, helmReleaseProblems } from "./helm-values";
import { CERT_MANAGER_TEST_ENTRY } from "./fixtures/charts";
import { BATCH_POOL } from "./fixtures/pools";
import { manifests, resources, synthEnvironment } from "./helpers";

/**
 * CONTRIBUTING.md's recipes, followed once each: every addition is made in the
 * one place the recipe names, and the rest of the kit picks it up.
 */

describe("add an environment: one config file", () => {
  // The recipe: copy a config, change what differs, add it to `environments` (config/index.ts).
  const qa: EnvironmentConfig = {
    ...staging,
    name: "qa",
    network: {
      ...staging.network,
      vpcCidr: "10.40.0.0/16",
      publicSubnetCidrs: ["10.40.0.0/22", "10.40.4.0/22", "10.40.8.0/22"],
      privateSubnetCidrs: ["10.40.64.0/18", "10.40.128.0/18", "10.40.192.0/18"],
    },
    state: { ...staging.state, bucket: "example-streaming-tfstate-qa" },
  };

  test("it validates, synthesizes as qa-* stacks and passes the plan-time checks", () => {
    expect(findConfigProblems(qa).problems).toEqual([]);
    const { stacks, outdir } = synthEnvironment(qa);
    expect(stacks.network.node.id).toBe("qa-network");
    expect(stacks.ingest?.node.id).toBe("qa-ingest");
    expect(runPlanChecks(readSynthOutput(outdir))).toEqual([]);
  });
});

describe("add a node pool: one config entry", () => {
  test("a `batch` pool becomes a labelled, tainted node group with no code change", () => {
    const env: EnvironmentConfig = {
      ...staging,
      nodePools: {
        ...staging.nodePools,
        batch: BATCH_POOL,
      },
    };
    expect(findConfigProblems(env).problems).toEqual([]);
    const groups = resources(synthEnvironment(env).out.eks, "aws_eks_node_group").filter((g) => g.labels[NODE_POOL_LABEL] === "batch");
    expect(groups).toEqual([
      expect.objectContaining({ capacity_type: "SPOT", taint: [{ key: NODE_POOL_LABEL, value: "batch", effect: "NO_SCHEDULE" }] }),
    ]);
  });
});

describe("add a topic: one catalog entry", () => {
  test("a new catalog entry is provisioned as a KafkaTopic with its partitions, and code can reference it by name", () => {
    const audit: TopicDefinition = {
      name: "events.audit",
      description: "Audit trail",
      share: 0,
      compression: "zstd",
      cleanupPolicy: "delete",
      partitions: 6,
    };
    const app = Testing.app();
    const { kafka } = buildEnvironment(app, staging, "local", { catalog: [...TOPIC_CATALOG, audit] });
    app.synth();
    const topic = kafka!.topics.topic("events.audit");
    expect(topic.resourceName).toBe("events-audit");
    expect(kafka!.plan.topics.find((t) => t.name === "events.audit")?.partitions).toBe(6);
  });
});

describe("add a policy rule: one file and one line in rules/index.ts", () => {
  // The recipe's example rule, as it would be written in constructs/policy/rules/<rule>.ts.
  const noPublicIps: PolicyRule = {
    id: "NO_PUBLIC_IP_ON_LAUNCH",
    severity: "error",
    title: "subnets do not give instances public IPs",
    explanation: "Nodes live in private subnets; a public IP bypasses the NAT and the security groups' intent.",
    resourceTypes: ["aws_subnet"],
    check: (r) => (r.config.map_public_ip_on_launch === true ? { detail: "map_public_ip_on_launch is true" } : undefined),
  };

  test("registered beside the platform rules, it runs on every resource of the type", () => {
    const app = Testing.app();
    const pack = new PolicyPack({ rules: [...platformRules, noPublicIps], production: true, requiredTags: [] });
    const stacks = buildEnvironment(app, staging, "local");
    Aspects.of(stacks.network).add(pack);
    app.synth();
    expect(pack.report.violations.filter((v) => v.ruleId === "NO_PUBLIC_IP_ON_LAUNCH")).toEqual([]);
  });
});

(chartReferencesPresent ? describe : describe.skip)("add a Helm release: a registry entry and a HelmChart", () => {
  // The recipe: an entry in domain/charts.ts, a typed values interface, and a HelmChart in an in-cluster stack.
  const certManager = CERT_MANAGER_TEST_ENTRY;
  interface CertManagerValues {
    readonly crds: { readonly enabled: boolean };
    readonly replicaCount: number;
  }

  test("its values are checked against the chart version's defaults, and a typo is caught", () => {
    const stack = new TerraformStack(Testing.app(), "qa-cert-manager");
    const chart = new HelmChart<CertManagerValues>(stack, "cert-manager", {
      chart: certManager,
      releaseName: "cert-manager",
      values: { crds: { enabled: true }, replicaCount: 2 },
    });
    const release = resources(JSON.parse(Testing.synth(stack)), "helm_release")[0];
    expect(chart.namespace).toBe("cert-manager");
    expect(helmReleaseProblems(release, [certManager])).toEqual([]);
    const typo = { ...release, values: [JSON.stringify({ crds: { enable: true } })] };
    expect(helmReleaseProblems(typo, [certManager]).join("\n")).toMatch(/crds\.enable is not a key/);
  });
});

test("the recipes' one places are where the kit reads from", () => {
  // The gateway, the load profile and the Kafka stack all read the same catalog.
  const { out } = synthEnvironment(staging);
  const topics = manifests(out.kafka)
    .filter((o) => o.kind === "KafkaTopic")
    .map((o) => o.spec.topicName);
  expect(topics.sort()).toEqual(TOPIC_CATALOG.map((t) => t.name).sort());
});
