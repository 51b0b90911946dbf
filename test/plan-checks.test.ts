import { HttpProvider } from "@cdktf/provider-http/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { environments } from "../config";
import { HelmChart } from "../constructs/helm/helm-chart";
import { ChartEntry, STRIMZI } from "../domain/charts";
import { canonicalQuantity, cpuQuantity, memoryQuantity } from "../domain/k8s-quantity";
import { normalizationProblems } from "../tools/plan-checks/checks/built-in-kinds-normalized";
import { lbControllerFirst } from "../tools/plan-checks/checks/lb-controller-first";
import { goDurationSeconds, strimziReadyWait } from "../tools/plan-checks/checks/strimzi-ready-wait";
import { prod } from "../config/prod";
import { chartCrdsManaged, chartCrdsManagedCheck } from "../tools/plan-checks/checks/chart-crds-managed";
import { crdInstalledFirst, crdInstallers } from "../tools/plan-checks/checks/crd-installed-first";
import { PLAN_CHECKS, readSynthOutput, runPlanChecks, SynthOutput, TerraformJson } from "../tools/plan-checks";
import { synthEnvironment } from "./helpers";

/**
 * The plan-time checks judge the synthesized output (cdktf.out) for defects
 * that only show at `terraform plan` or `apply`. Every environment must pass
 * all of them; each check is also shown to fire on the defect it models.
 */
describe.each(environments.map((e) => [e.name, e]))("%s: synthesized stacks pass every plan-time check", (_name, env) => {
  test("no findings", () => {
    const { outdir } = synthEnvironment(env);
    expect(runPlanChecks(readSynthOutput(outdir))).toEqual([]);
  });
});

test("every check has an id, a title and a reason", () => {
  expect(PLAN_CHECKS.length).toBeGreaterThan(0);
  for (const c of PLAN_CHECKS) expect(c.id).toMatch(/^[A-Z_]+$/);
  expect(new Set(PLAN_CHECKS.map((c) => c.id)).size).toBe(PLAN_CHECKS.length);
});

describe("BUILTIN_KIND_NORMALIZED: what the API server would change", () => {
  test("empty lists and empty maps are found, pointer structs such as emptyDir: {} are not", () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "x", labels: {} },
      spec: {
        template: {
          spec: {
            tolerations: [],
            containers: [{ name: "c", image: "i:1", resources: { requests: { cpu: "0.5", memory: "1024Mi" }, limits: {} } }],
            volumes: [{ name: "tmp", emptyDir: {} }],
          },
        },
      },
    };
    expect(normalizationProblems(deployment)).toEqual([
      "metadata.labels: empty map (the API server drops it)",
      "spec.template.spec.tolerations: empty list (the API server drops it)",
      'spec.template.spec.containers[0].resources.requests.cpu: "0.5" comes back from the API server as "500m"; write "500m"',
      'spec.template.spec.containers[0].resources.requests.memory: "1024Mi" comes back from the API server as "1Gi"; write "1Gi"',
      "spec.template.spec.containers[0].resources.limits: empty map (the API server drops it)",
    ]);
  });

  test("numbers and non-quantities in resource maps are found", () => {
    expect(normalizationProblems({ spec: { resources: { requests: { cpu: 1, memory: "lots" } } } })).toEqual([
      'spec.resources.requests.cpu: 1 comes back from the API server as "1"; write "1"',
      'spec.resources.requests.memory: "lots" is not a Kubernetes quantity',
    ]);
  });
});

describe("canonical quantities (apimachinery's Quantity.String)", () => {
  test.each([
    ["0.5", "500m"],
    ["1000m", "1"],
    ["1500m", "1500m"],
    ["1000", "1k"],
    ["1500", "1500"],
    ["1024Mi", "1Gi"],
    ["49152Mi", "48Gi"],
    ["0.5Gi", "512Mi"],
    ["0.5Ki", "512"],
    ["1.5Gi", "1536Mi"],
    ["2e3", "2e3"],
    ["0.0000000001", "1n"],
    ["512Mi", "512Mi"],
  ])("%s is stored as %s", (given, stored) => {
    expect(canonicalQuantity(given)).toBe(stored);
  });

  test("the kit's own formatters produce canonical spellings", () => {
    for (const cores of [0.1, 0.25, 0.5, 1, 1.5, 2, 6, 16]) expect(canonicalQuantity(cpuQuantity(cores))).toBe(cpuQuantity(cores));
    for (const mib of [128, 512, 1000, 1024, 4096, 8192, 49_152, 1_048_576])
      expect(canonicalQuantity(memoryQuantity(mib))).toBe(memoryQuantity(mib));
    expect(() => cpuQuantity(0.0005)).toThrow("cpu: got 0.0005, expected a positive number of cores in steps of 0.001");
  });
});

/** A synthesized app in memory: stacks with their dependencies and resources. */
function app(stacks: Record<string, { deps?: string[]; resource: Record<string, Record<string, object>> }>): SynthOutput {
  return {
    dir: "(memory)",
    stacks: new Map(
      Object.entries(stacks).map(([name, s]) => [name, { name, dependencies: s.deps ?? [], json: { resource: s.resource } }]),
    ),
  };
}
const strimziRelease = { helm_release: { strimzi: { chart: "strimzi-kafka-operator", version: "1.2.0" } } };
const kafkaTopic = {
  kubernetes_manifest: { topic: { manifest: { apiVersion: "kafka.strimzi.io/v1", kind: "KafkaTopic", metadata: { name: "t" } } } },
};

describe("CRD_INSTALLED_FIRST: custom resources plan only after their CRD exists", () => {
  test("a custom resource in a stack that depends (transitively) on the chart's stack passes", () => {
    const out = app({ op: { resource: strimziRelease }, mid: { deps: ["op"], resource: {} }, cr: { deps: ["mid"], resource: kafkaTopic } });
    expect(crdInstalledFirst.run(out)).toEqual([]);
  });

  test("no dependency on the installing stack, or no installer at all, is found", () => {
    const monitor = {
      kubernetes_manifest: {
        sm: { manifest: { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: "gw" } } },
      },
    };
    const out = app({
      op: { resource: strimziRelease },
      cr: { resource: { kubernetes_manifest: { ...kafkaTopic.kubernetes_manifest, ...monitor.kubernetes_manifest } } },
    });
    expect(crdInstalledFirst.run(out).map((f) => f.message)).toEqual([
      "KafkaTopic/t (kafka.strimzi.io): its CRD comes from op, which this stack does not depend on",
      "ServiceMonitor/gw (monitoring.coreos.com): no stack installs this CRD group",
    ]);
  });

  test("a chart version missing from the registry installs nothing the check can see", () => {
    const out = app({
      op: { resource: { helm_release: { strimzi: { chart: "strimzi-kafka-operator", version: "0.45.0" } } } },
      cr: { deps: ["op"], resource: kafkaTopic },
    });
    expect(crdInstalledFirst.run(out)).toHaveLength(1);
  });

  test("a CustomResourceDefinition manifest counts as an installer", () => {
    const crd = {
      kubernetes_manifest: {
        crd: {
          manifest: {
            apiVersion: "apiextensions.k8s.io/v1",
            kind: "CustomResourceDefinition",
            metadata: { name: "kafkatopics.kafka.strimzi.io" },
            spec: { group: "kafka.strimzi.io" },
          },
        },
      },
    };
    expect(crdInstalledFirst.run(app({ crds: { resource: crd }, cr: { deps: ["crds"], resource: kafkaTopic } }))).toEqual([]);
  });
});

describe("LB_CONTROLLER_FIRST: load-balanced Services and gated pods deploy after a ready controller", () => {
  const lbcRelease = (wait?: boolean) => ({
    helm_release: { lbc: { chart: "aws-load-balancer-controller", version: "3.5.0", ...(wait === undefined ? {} : { wait }) } },
  });
  const nlbService = {
    kubernetes_manifest: {
      svc: {
        manifest: {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "gw-nlb" },
          spec: { type: "LoadBalancer", loadBalancerClass: "service.k8s.aws/nlb" },
        },
      },
      legacy: {
        manifest: {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "gw-legacy", annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "external" } },
          spec: { type: "LoadBalancer" },
        },
      },
      gated: {
        manifest: {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "gw" },
          spec: { template: { metadata: { labels: { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" } } } },
        },
      },
      plain: { manifest: { apiVersion: "v1", kind: "Service", metadata: { name: "gw" }, spec: { type: "ClusterIP" } } },
    },
  };

  test("a stack depending (transitively) on the controller's stack passes", () => {
    expect(
      lbControllerFirst.run(
        app({ lbc: { resource: lbcRelease() }, base: { deps: ["lbc"], resource: {} }, gw: { deps: ["base"], resource: nlbService } }),
      ),
    ).toEqual([]);
  });

  test("no dependency, a release that does not wait, or no controller at all, is found", () => {
    expect(lbControllerFirst.run(app({ lbc: { resource: lbcRelease() }, gw: { resource: nlbService } })).map((f) => f.message)).toEqual([
      "Service/gw-nlb is a Service of class service.k8s.aws/nlb; the controller comes from lbc, which this stack does not depend on",
      "Service/gw-legacy is a Service with service.beta.kubernetes.io/aws-load-balancer-type: external; the controller comes from lbc, which this stack does not depend on",
      "Deployment/gw is pods labelled elbv2.k8s.aws/pod-readiness-gate-inject=enabled (the readiness-gate webhook, failurePolicy Fail); the controller comes from lbc, which this stack does not depend on",
    ]);
    expect(lbControllerFirst.run(app({ lbc: { resource: lbcRelease(false) }, gw: { deps: ["lbc"], resource: nlbService } }))).toHaveLength(
      3,
    );
    expect(lbControllerFirst.run(app({ gw: { resource: nlbService } }))[0].message).toMatch(
      /no stack installs the AWS Load Balancer Controller/,
    );
  });

  test("the prod ingest stack without its dependency on prod-lb-controller is found", () => {
    const { outdir } = synthEnvironment(prod);
    const out = readSynthOutput(outdir);
    expect(lbControllerFirst.run(out)).toEqual([]);
    const ingest = out.stacks.get("prod-ingest")!;
    const cut: SynthOutput = {
      dir: out.dir,
      stacks: new Map(
        [...out.stacks].map(([n, s]) => [
          n,
          n === ingest.name ? { ...s, dependencies: s.dependencies.filter((d) => d !== "prod-lb-controller") } : s,
        ]),
      ),
    };
    expect(lbControllerFirst.run(cut).map((f) => `${f.stack} ${f.message.split(" is ")[0]}`)).toEqual([
      "prod-ingest Deployment/ingest-gateway",
      "prod-ingest Service/ingest-gateway-nlb",
    ]);
  });
});

describe("STRIMZI_READY_WAIT: Strimzi resources later stacks need are waited for", () => {
  const strimzi = (kind: string, extra: object = {}) => ({
    kubernetes_manifest: {
      [kind.toLowerCase()]: { manifest: { apiVersion: "kafka.strimzi.io/v1", kind, metadata: { name: "events" } }, ...extra },
    },
  });
  const ready = { wait: { condition: [{ type: "Ready", status: "True" }] } };
  const run = (resource: Record<string, Record<string, object>>) =>
    strimziReadyWait.run(app({ kafka: { resource } })).map((f) => f.message);

  test("a Kafka waiting for Ready with 30-minute limits passes; users and topics need 5 minutes", () => {
    expect(run(strimzi("Kafka", { ...ready, timeouts: { create: "30m", update: "30m" } }))).toEqual([]);
    expect(run(strimzi("KafkaUser", { ...ready, timeouts: { create: "10m", update: "10m" } }))).toEqual([]);
    expect(run(strimzi("KafkaTopic", { ...ready, timeouts: [{ create: "1h", update: "5m0s" }] }))).toEqual([]);
  });

  test("what the kit synthesized before: no wait block at all", () => {
    expect(run(strimzi("Kafka"))).toEqual([
      "Kafka/events: no wait block: apply returns as soon as the API server accepts it; it provides the cluster CA secret and running brokers (the gateway mounts one and connects to the other)",
    ]);
    expect(run(strimzi("KafkaUser"))).toHaveLength(1);
    expect(run(strimzi("KafkaTopic"))).toHaveLength(1);
  });

  test("the provider's default timeouts are too short for a first Kafka rollout", () => {
    expect(run(strimzi("Kafka", ready))).toEqual([
      "Kafka/events: timeouts.create is the provider's default 10m, under the 20m a first rollout can take; it provides the cluster CA secret and running brokers (the gateway mounts one and connects to the other)",
      "Kafka/events: timeouts.update is the provider's default 10m, under the 20m a reconcile can take; it provides the cluster CA secret and running brokers (the gateway mounts one and connects to the other)",
    ]);
    expect(run(strimzi("KafkaUser", ready))).toEqual([]);
  });

  test("a rollout wait (which wins over conditions), a fields-only wait, another condition or an unreadable timeout are found", () => {
    const t = { timeouts: { create: "30m", update: "30m" } };
    const only = (extra: object) => run(strimzi("Kafka", { ...t, ...extra })).map((m) => m.split(";")[0]);
    expect(only({ wait: { rollout: true, condition: [{ type: "Ready", status: "True" }] } })).toEqual([
      "Kafka/events: wait.rollout is set: the provider waits for a rollout and ignores the conditions",
    ]);
    expect(only({ wait: { fields: { "status.observedGeneration": "*" } } })).toEqual([
      'Kafka/events: wait has no condition { type = "Ready", status = "True" } (fields do not say the operator finished reconciling)',
    ]);
    expect(only({ wait: { condition: [{ type: "Ready", status: "False" }] } })).toEqual([
      'Kafka/events: wait has no condition { type = "Ready", status = "True" }',
    ]);
    expect(only({ ...ready, timeouts: { create: "30 minutes", update: "30m" } })).toEqual([
      'Kafka/events: timeouts.create "30 minutes" is not a duration Terraform reads',
    ]);
  });

  test("other Strimzi kinds and other groups are not its business", () => {
    expect(run(strimzi("KafkaNodePool"))).toEqual([]);
    expect(run(strimzi("KafkaRebalance"))).toEqual([]);
    const cm = { kubernetes_manifest: { cm: { manifest: { apiVersion: "v1", kind: "Kafka", metadata: { name: "x" } } } } };
    expect(run(cm)).toEqual([]);
  });

  test.each([
    ["30m", 1800],
    ["1h30m", 5400],
    ["1.5h", 5400],
    ["90s", 90],
    ["500ms", 0.5],
    ["30", undefined],
    ["m", undefined],
    ["30m ", undefined],
  ])("Go duration %s is %s seconds", (text, seconds) => {
    expect(goDurationSeconds(text)).toBe(seconds);
  });
});

describe("CHART_CRDS_MANAGED: a chart's crds/ folder is applied by the kit, from that chart version's pinned files", () => {
  /** The Strimzi release as HelmChart synthesizes it (with its ChartCrds), in a stack with the http provider. */
  function operatorJson(chart: ChartEntry = STRIMZI): TerraformJson {
    const stack = new TerraformStack(Testing.app(), "op");
    new HttpProvider(stack, "http");
    new HelmChart(stack, "strimzi", { chart, releaseName: "strimzi" });
    return JSON.parse(Testing.synth(stack));
  }
  const appOf = (stacks: Record<string, { deps?: string[]; json: TerraformJson }>): SynthOutput => ({
    dir: "(memory)",
    stacks: new Map(Object.entries(stacks).map(([name, s]) => [name, { name, dependencies: s.deps ?? [], json: s.json }])),
  });
  const messages = (out: SynthOutput, charts?: readonly ChartEntry[]) =>
    (charts ? chartCrdsManagedCheck(charts) : chartCrdsManaged).run(out).map((f) => `${f.address}: ${f.message}`);
  /** Strimzi 1.3.0 as a bump would register it: new files, new hashes. */
  const BUMPED: ChartEntry = {
    ...STRIMZI,
    version: "1.3.0",
    crdSources: STRIMZI.crdSources!.map((s) => ({
      ...s,
      url: s.url.replace(/[0-9a-f]{40}/, "a".repeat(40)),
      sha256: "b".repeat(64),
      release: "1.3.0",
    })),
  };

  test("the operator stack as HelmChart now synthesizes it passes, and its CRD manifests install the Strimzi groups", () => {
    const out = appOf({ op: { json: operatorJson() }, cr: { deps: ["op"], json: { resource: kafkaTopic } } });
    expect(messages(out)).toEqual([]);
    expect(crdInstallers(out).get("kafka.strimzi.io")).toEqual(["op"]);
    expect(crdInstalledFirst.run(out)).toEqual([]);
  });

  test("fails on the operator stack as synthesized before (release without skip_crds, no CRD manifests)", () => {
    const before = operatorJson();
    for (const key of Object.keys(before.resource)) if (key !== "helm_release") delete before.resource[key];
    delete before.data;
    delete before.import;
    const release: TerraformJson = Object.values(before.resource.helm_release)[0] as TerraformJson;
    delete release.skip_crds;
    delete release.depends_on;
    const found = messages(appOf({ op: { json: before } }));
    expect(found).toHaveLength(1 + STRIMZI.crdSources!.length);
    expect(found[0]).toBe(
      "helm_release.strimzi: strimzi-kafka-operator 1.2.0 ships its CRDs in crds/, which Helm creates on first install and never upgrades; " +
        "set skip_crds and apply them with ChartCrds",
    );
    expect(found[1]).toBe(
      `helm_release.strimzi: strimzi-kafka-operator 1.2.0: CRD kafkas.kafka.strimzi.io is not applied from ${STRIMZI.crdSources![0].url} ` +
        "by this stack or one it depends on (a chart bump must bring its own CRDs; ChartCrds applies them)",
    );
  });

  test("a chart bump without its CRDs fails: the release moves to 1.3.0, the manifests still apply 1.2.0's files", () => {
    const json = operatorJson();
    (Object.values(json.resource.helm_release)[0] as TerraformJson).version = "1.3.0";
    const found = messages(appOf({ op: { json } }), [BUMPED]);
    expect(found).toHaveLength(10);
    expect(found.every((m) => m.includes("strimzi-kafka-operator 1.3.0: CRD ") && m.includes("is not applied from https://"))).toBe(true);
    // The bump done through the registry and HelmChart brings its CRDs.
    expect(messages(appOf({ op: { json: operatorJson(BUMPED) } }), [BUMPED])).toEqual([]);
  });

  test("CRDs applied by a stack the release's stack depends on count; by an unrelated stack they do not", () => {
    const crdsOnly = operatorJson();
    delete crdsOnly.resource.helm_release;
    const releaseOnly = operatorJson();
    for (const key of Object.keys(releaseOnly.resource)) if (key !== "helm_release") delete releaseOnly.resource[key];
    (Object.values(releaseOnly.resource.helm_release)[0] as TerraformJson).depends_on = [];
    expect(messages(appOf({ crds: { json: crdsOnly }, op: { deps: ["crds"], json: releaseOnly } }))).toEqual([]);
    expect(messages(appOf({ crds: { json: crdsOnly }, op: { json: releaseOnly } }))).toHaveLength(10);
  });

  test("each safeguard is required: pinned hash, status check, force_conflicts, prevent_destroy, the release's dependency, a pinned provider", () => {
    const json = operatorJson();
    const kafka = "crd_kafkas_kafka_strimzi_io";
    json.data.http[kafka].lifecycle.postcondition[1].condition = `\${sha256(self.response_body) == "${"0".repeat(64)}"}`;
    json.data.http.crd_kafkatopics_kafka_strimzi_io.lifecycle.postcondition = [];
    json.resource.kubernetes_manifest.crd_kafkausers_kafka_strimzi_io.field_manager.force_conflicts = false;
    delete json.resource.kubernetes_manifest.crd_kafkanodepools_kafka_strimzi_io.lifecycle.prevent_destroy;
    const release = Object.values(json.resource.helm_release)[0] as TerraformJson;
    release.depends_on = release.depends_on.filter((d: string) => !d.endsWith("crd_kafkarebalances_kafka_strimzi_io"));
    delete json.terraform.required_providers.http;
    expect(messages(appOf({ op: { json } }))).toEqual([
      "kubernetes_manifest.crd_kafkatopics_kafka_strimzi_io: kubernetes_manifest.crd_kafkatopics_kafka_strimzi_io applies data.http.crd_kafkatopics_kafka_strimzi_io " +
        `(${STRIMZI.crdSources![3].url}) without a sha256(self.response_body) postcondition: whatever the URL serves gets applied`,
      "kubernetes_manifest.crd_kafkatopics_kafka_strimzi_io: kubernetes_manifest.crd_kafkatopics_kafka_strimzi_io applies data.http.crd_kafkatopics_kafka_strimzi_io " +
        `(${STRIMZI.crdSources![3].url}) without a self.status_code == 200 postcondition: an error page would be decoded`,
      "data.http.crd_kafkabridges_kafka_strimzi_io: data.http without a pinned hashicorp/http in required_providers (terraform init would take the newest release): " +
        "declare HttpProvider in the stack",
      `kubernetes_manifest.${kafka}: strimzi-kafka-operator 1.2.0: CRD kafkas.kafka.strimzi.io is checked against sha256 ${"0".repeat(64)}, ` +
        `the registry pins ${STRIMZI.crdSources![0].sha256}`,
      "kubernetes_manifest.crd_kafkausers_kafka_strimzi_io: strimzi-kafka-operator 1.2.0: CRD kafkausers.kafka.strimzi.io is applied without " +
        "field_manager.force_conflicts; on a cluster where Helm created it, the server-side apply conflicts with Helm's fields (.spec.versions)",
      "kubernetes_manifest.crd_kafkanodepools_kafka_strimzi_io: strimzi-kafka-operator 1.2.0: CRD kafkanodepools.kafka.strimzi.io lacks " +
        "lifecycle.prevent_destroy; deleting it deletes every KafkaNodePool in the cluster",
      "helm_release.strimzi: strimzi-kafka-operator 1.2.0: the release does not depend on kubernetes_manifest.crd_kafkarebalances_kafka_strimzi_io; " +
        "Helm may start the operator before its CRD is applied",
    ]);
  });

  test("a retired CRD must be released from state with destroy = false, not dropped", () => {
    const retiring: ChartEntry = { ...STRIMZI, retiredCrds: ["kafkamirrormakers.kafka.strimzi.io"] };
    const json = operatorJson(retiring);
    expect(messages(appOf({ op: { json } }), [retiring])).toEqual([]);
    delete json.removed;
    expect(messages(appOf({ op: { json } }), [retiring])).toEqual([
      "helm_release.strimzi: strimzi-kafka-operator 1.2.0: retired CRD kafkamirrormakers.kafka.strimzi.io has no removed { from = " +
        "kubernetes_manifest.crd_kafkamirrormakers_kafka_strimzi_io, lifecycle { destroy = false } }; where the kit applied it, " +
        "dropping its resource deletes the CRD and every resource of its kind",
    ]);
  });

  test("a release that skips crds/ installs no CRD group as far as CRD_INSTALLED_FIRST knows", () => {
    const skipped = { helm_release: { strimzi: { chart: "strimzi-kafka-operator", version: "1.2.0", skip_crds: true } } };
    const out = app({ op: { resource: skipped }, cr: { deps: ["op"], resource: kafkaTopic } });
    expect(crdInstalledFirst.run(out).map((f) => f.message)).toEqual(["KafkaTopic/t (kafka.strimzi.io): no stack installs this CRD group"]);
  });
});

describe("CHART_CRDS_MANAGED: a chart whose CRDs come from a companion chart", () => {
  const karpenter = { helm_release: { k: { chart: "karpenter", version: "1.14.1", skip_crds: true } } };
  const crdChart = { helm_release: { c: { chart: "karpenter-crd", version: "1.14.1" } } };

  test("passes when the companion chart is released at the same version upstream", () => {
    expect(chartCrdsManaged.run(app({ crds: { resource: crdChart }, ctl: { deps: ["crds"], resource: karpenter } }))).toEqual([]);
  });

  test("without the companion (or at another version) it is found", () => {
    expect(chartCrdsManaged.run(app({ ctl: { resource: karpenter } })).map((f) => f.message)).toEqual([
      "karpenter 1.14.1: its CRDs come from karpenter-crd 1.14.1, which no stack it depends on releases",
    ]);
    const old = { helm_release: { c: { chart: "karpenter-crd", version: "1.13.0" } } };
    expect(chartCrdsManaged.run(app({ crds: { resource: old }, ctl: { deps: ["crds"], resource: karpenter } }))).toHaveLength(1);
  });
});
