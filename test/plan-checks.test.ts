import { environments } from "../config";
import { canonicalQuantity, cpuQuantity, memoryQuantity } from "../domain/k8s-quantity";
import { normalizationProblems } from "../tools/plan-checks/checks/built-in-kinds-normalized";
import { crdInstalledFirst } from "../tools/plan-checks/checks/crd-installed-first";
import { lbControllerFirst } from "../tools/plan-checks/checks/lb-controller-first";
import { goDurationSeconds, strimziReadyWait } from "../tools/plan-checks/checks/strimzi-ready-wait";
import { PLAN_CHECKS, readSynthOutput, runPlanChecks, SynthOutput } from "../tools/plan-checks";
import { prod } from "../config/prod";
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
