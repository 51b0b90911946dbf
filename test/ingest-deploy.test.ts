import { findConfigProblems } from "../config";
import { prod } from "../config/prod";
import { IngestGateway } from "../constructs/ingest/ingest-gateway";
import { GATEWAY_BASE_MIB, GATEWAY_BYTES_PER_BODY_BYTE } from "../domain/ingest-gateway-sizing";
import { KafkaUser } from "../constructs/kafka/kafka-user";
import { gatewayProps, kafkaFixture } from "./fixtures/kafka-fixture";
import { Json, manifests, synthEnvironment, withOverrides } from "./helpers";
import { kubeSchemaErrors } from "./kube-schemas";

describe("prod ingest gateway deployment", () => {
  const { out, manifest } = synthEnvironment(prod);
  const objs = manifests(out.ingest);
  const of = (kind: string) => objs.find((o) => o.kind === kind) as Json;

  test("Deployment, Services (ClusterIP and NLB), HPA and PDB, each valid for its kind; no ServiceMonitor until a stack installs its CRD", () => {
    expect(objs.map((o) => o.kind).sort()).toEqual(["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service", "Service"]);
    for (const o of objs) expect([o.kind, kubeSchemaErrors(o)]).toEqual([o.kind, []]);
  });

  test("talks TLS + SCRAM to the Strimzi cluster with the ingest-gateway user's secret, idempotent", () => {
    const c = of("Deployment").spec.template.spec.containers[0];
    const env = Object.fromEntries(c.env.map((e: Json) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      KAFKA_BROKERS: "events-kafka-bootstrap.kafka.svc:9093",
      KAFKA_TLS: "true",
      KAFKA_SASL_USERNAME: "ingest-gateway",
      KAFKA_SASL_PASSWORD: { secretKeyRef: { name: "ingest-gateway", key: "password" } },
      KAFKA_IDEMPOTENCE: "on",
      PARTIAL_BATCH_POLICY: "reject-batch",
    });
    const volume = of("Deployment").spec.template.spec.volumes[0];
    expect(volume.secret.secretName).toBe("events-cluster-ca-cert");
    expect(c.image).toBe(prod.ingest.image);
  });

  test("drains inside its grace period, probes health and readiness, runs hardened on the system pool", () => {
    const pod = of("Deployment").spec.template.spec;
    const c = pod.containers[0];
    const drainMs = Number(c.env.find((e: Json) => e.name === "DRAIN_TIMEOUT_MS").value);
    expect(drainMs / 1000 + c.lifecycle.preStop.sleep.seconds).toBeLessThan(pod.terminationGracePeriodSeconds);
    expect(c.readinessProbe.httpGet.path).toBe("/readyz");
    expect(c.livenessProbe.httpGet.path).toBe("/healthz");
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]).toEqual({
      key: "platform.streaming-kit/pool",
      operator: "In",
      values: ["system"],
    });
  });

  test("the memory limit sets admission's byte budget and the V8 heap: a flood of bodies gets 429s, not an OOM kill", () => {
    const c = of("Deployment").spec.template.spec.containers[0];
    const env = Object.fromEntries(c.env.map((e: Json) => [e.name, e.value]));
    const limitMiB = prod.ingest.resources.memoryMiB;
    expect(c.resources.limits.memory).toBe(`${limitMiB}Mi`);
    const heap = Number(/--max-old-space-size=(\d+)/.exec(env.NODE_OPTIONS)?.[1]);
    expect(heap).toBeGreaterThan(0);
    expect(heap).toBeLessThan(limitMiB);
    // The resident memory the budget allows (base + bytes x cost) stays under 60% of the limit.
    const budget = Number(env.MAX_INFLIGHT_BYTES);
    expect(GATEWAY_BASE_MIB + (budget * GATEWAY_BYTES_PER_BODY_BYTE) / 2 ** 20).toBeLessThanOrEqual(0.6 * limitMiB + 1e-6);
    expect(budget).toBeGreaterThanOrEqual(4 * 2 ** 20); // at least one largest body
    // Readiness is not made to fail by a busy event loop.
    expect(c.readinessProbe.timeoutSeconds).toBeGreaterThanOrEqual(2);
  });

  test("HPA from config, PDB of one", () => {
    expect(of("HorizontalPodAutoscaler").spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 12,
      scaleTargetRef: { kind: "Deployment", name: "ingest-gateway" },
    });
    expect(of("PodDisruptionBudget").spec.maxUnavailable).toBe(1);
  });

  test("the HPA owns the Deployment's replicas; the stack deploys after the Kafka stack", () => {
    const dep = Object.values(out.ingest.resource.kubernetes_manifest as Record<string, Json>).find(
      (m) => m.manifest.kind === "Deployment",
    )!;
    expect(dep.computed_fields).toContain("spec.replicas");
    expect(manifest.stacks["prod-ingest"].dependencies).toContain("prod-kafka");
  });

  test("apply waits for the rollout long enough to replace every replica behind the NLB (3 min a pod)", () => {
    const dep = Object.values(out.ingest.resource.kubernetes_manifest as Record<string, Json>).find(
      (m) => m.manifest.kind === "Deployment",
    )!;
    expect(dep.wait).toEqual({ rollout: true });
    // prod: 3 to 12 replicas.
    expect(dep.timeouts).toEqual({ create: "14m", update: "41m" });
  });
});

test("given a Prometheus release, the construct adds a ServiceMonitor labelled for it", () => {
  const { stack, cluster, topics } = kafkaFixture();
  const user = new KafkaUser(stack, "user", { cluster, userName: "gw", produceTo: [topics.topic("events.system")] });
  const gateway = new IngestGateway(stack, "gateway", gatewayProps(cluster, user, { prometheusRelease: "kube-prometheus-stack" }));
  const monitor = gateway.objects.find((o) => o.kind === "ServiceMonitor") as Json;
  expect(monitor.metadata.labels.release).toBe("kube-prometheus-stack");
  expect(monitor.spec.endpoints).toEqual([{ port: "http", path: "/metrics", interval: "15s" }]);
  expect(kubeSchemaErrors(monitor)).toEqual([]);
});

describe("ingest config rules", () => {
  test.each<[string, ReturnType<typeof withOverrides>, string]>([
    [
      "a latest tag",
      withOverrides(prod, { ingest: { image: "repo/ingest-gateway:latest" } }),
      'prod.ingest.image: got "repo/ingest-gateway:latest", a moving tag',
    ],
    [
      "no tag at all",
      withOverrides(prod, { ingest: { image: "repo/ingest-gateway" } }),
      'prod.ingest.image: got "repo/ingest-gateway", expected an image reference with a tag or a sha256 digest',
    ],
    [
      "one replica in production",
      withOverrides(prod, { ingest: { replicas: { min: 1, max: 4 } } }),
      "prod.ingest.replicas.min: got 1, expected a whole number from 2 to 1000",
    ],
    [
      "an HPA that would only scale out after the pod saturates",
      withOverrides(prod, { ingest: { resources: { cpu: 2, memoryMiB: 512 }, targetCpuUtilization: 70 } }),
      "prod.ingest.targetCpuUtilization: got 70, with ingest.resources.cpu 2 the HPA adds pods at 1.40 cores per pod, but a gateway pod saturates",
    ],
    [
      "a container too small for the gateway's base and one body",
      withOverrides(prod, { ingest: { resources: { cpu: 1, memoryMiB: 200 } } }),
      "prod.ingest.resources.memoryMiB: got 200, expected a whole number from 320 to 16384",
    ],
    [
      "ingest without kafka",
      withOverrides(prod, { features: { kafka: false } }),
      "prod.features.ingest: got true, but the gateway needs features.kafka",
    ],
  ])("%s is refused", (_label, cfg, expected) => {
    expect(
      findConfigProblems(cfg)
        .problems.map((p) => `${p.path}: ${p.message}`)
        .join("\n"),
    ).toContain(expected);
  });
});
