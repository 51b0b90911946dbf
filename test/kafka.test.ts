import { dev } from "../config/dev";
import { environments, findConfigProblems } from "../config";
import { prod } from "../config/prod";
import { STRIMZI_CHART } from "../constructs/kafka/strimzi-operator";
import { EVENT_CATEGORIES, TOPIC_CATALOG } from "../domain/event-catalog";
import { Json, manifests, resources, synthEnvironment, withOverrides } from "./helpers";
import { kubeSchemaErrors } from "./kube-schemas";
import { strimziSchemaErrors, strimziSchemasPresent, STRIMZI_SCHEMA_DIR } from "./strimzi-schemas";

const byKind = (objs: Json[], kind: string) => objs.filter((o) => o.kind === kind);

describe("prod Kafka cluster", () => {
  const { out, manifest } = synthEnvironment(prod);
  const objs = manifests(out.kafka);
  const [kafka] = byKind(objs, "Kafka");
  const pools = Object.fromEntries(byKind(objs, "KafkaNodePool").map((p) => [p.metadata.name, p]));

  test("broker config: RF 3, min ISR 2, no unclean election, no auto-create, 7-day retention, follower fetching", () => {
    expect(kafka.spec.kafka.config).toMatchObject({
      "default.replication.factor": 3,
      "min.insync.replicas": 2,
      "unclean.leader.election.enable": false,
      "auto.create.topics.enable": false,
      "log.retention.hours": 168,
      "replica.selector.class": "org.apache.kafka.common.replica.RackAwareReplicaSelector",
    });
    expect(kafka.spec.kafka.rack).toEqual({ topologyKey: "topology.kubernetes.io/zone" });
    expect(kafka.spec.kafka.version).toBe("4.2.0");
  });

  test("the only listener is internal TLS with SCRAM-SHA-512, open only to Kafka clients, and ACLs are enforced", () => {
    const client = { matchLabels: { "platform.streaming-kit/kafka-client": "true" } };
    expect(kafka.spec.kafka.listeners).toEqual([
      {
        name: "tls",
        port: 9093,
        type: "internal",
        tls: true,
        authentication: { type: "scram-sha-512" },
        networkPolicyPeers: [{ podSelector: client }, { namespaceSelector: client }],
      },
    ]);
    expect(kafka.spec.kafka.authorization).toEqual({ type: "simple" });
  });

  test("Cruise Control auto-rebalances on add and remove, with templates that exist", () => {
    const modes = kafka.spec.cruiseControl.autoRebalance;
    expect(modes.map((m: Json) => m.mode)).toEqual(["add-brokers", "remove-brokers"]);
    const templates = byKind(objs, "KafkaRebalance");
    for (const m of modes) {
      const t = templates.find((x) => x.metadata.name === m.template.name);
      expect(t?.metadata.annotations["strimzi.io/rebalance-template"]).toBe("true");
    }
  });

  test("metrics: JMX exporter from a ConfigMap that exists, and Kafka Exporter", () => {
    const ref = kafka.spec.kafka.metricsConfig.valueFrom.configMapKeyRef;
    const [cm] = resources(out.kafka, "kubernetes_config_map_v1");
    // A reference, not a copy of the name: Terraform then creates the ConfigMap first.
    expect(ref.name).toMatch(/^\$\{kubernetes_config_map_v1\.cluster_jmx-metrics_\w+\.metadata\[0\]\.name\}$/);
    expect(cm.metadata.name).toBe("events-kafka-metrics");
    expect(cm.data[ref.key]).toContain("kafka_server_replicamanager_$1");
    expect(kafka.spec.kafkaExporter).toMatchObject({ topicRegex: ".*", groupRegex: ".*" });
    expect(kafka.spec.entityOperator).toHaveProperty("topicOperator");
    expect(kafka.spec.entityOperator).toHaveProperty("userOperator");
  });

  test("3 controller-only nodes and 6 broker-only nodes on the kafka pool, spread by zone", () => {
    expect(pools.controllers.spec).toMatchObject({ replicas: 3, roles: ["controller"] });
    expect(pools.brokers.spec).toMatchObject({ replicas: 6, roles: ["broker"] });
    for (const p of [pools.controllers, pools.brokers]) {
      const pod = p.spec.template.pod;
      expect(pod.tolerations).toEqual([{ key: "platform.streaming-kit/pool", operator: "Equal", value: "kafka", effect: "NoSchedule" }]);
      expect(pod.topologySpreadConstraints[0]).toMatchObject({
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "DoNotSchedule",
      });
    }
  });

  test("broker disk comes from the capacity planner, on the encrypted storage class", () => {
    const [volume] = pools.brokers.spec.storage.volumes;
    // 300M x 1024 B x RF 3 / 2.5 compression x 7 days = 2,403 GiB; / 0.7 headroom / 6 brokers = 572 -> 600 GiB.
    expect(volume).toMatchObject({ size: "600Gi", type: "persistent-claim", deleteClaim: false });
    expect(volume.class).toMatch(/cross-stack-output-kubernetes_storage_class_v1gp3/);
  });

  test("the HPA owns spec.replicas after creation", () => {
    const pool = resources(out.kafka, "kubernetes_manifest").find(
      (m) => m.manifest.kind === "KafkaNodePool" && m.manifest.metadata.name === "brokers",
    );
    expect(pool?.computed_fields).toContain("spec.replicas");
  });

  test("broker HPA: 6-12 on the pool's scale subresource, CPU 70%, 600 s scale-down stabilization", () => {
    const [hpa] = byKind(objs, "HorizontalPodAutoscaler");
    expect(kubeSchemaErrors(hpa)).toEqual([]);
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: "kafka.strimzi.io/v1", kind: "KafkaNodePool", name: "brokers" },
      minReplicas: 6,
      maxReplicas: 12,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    });
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
    expect(hpa.spec.behavior.scaleUp.policies).toEqual([{ type: "Pods", value: 1, periodSeconds: 300 }]);
  });

  test("topics: one per catalog entry, partitions from the planner, RF and min ISR from the cluster", () => {
    const topics = byKind(objs, "KafkaTopic");
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual(TOPIC_CATALOG.map((t) => t.name).sort());
    const userActions = topics.find((t) => t.spec.topicName === "events.user-actions")!;
    expect(userActions.spec).toMatchObject({
      partitions: 24,
      replicas: 3,
      config: { "min.insync.replicas": 2, "compression.type": "zstd", "retention.ms": 7 * 24 * 3_600_000, "cleanup.policy": "delete" },
    });
    const dlq = topics.find((t) => t.spec.topicName === "events.dead-letter")!;
    expect(dlq.spec.partitions).toBe(3);
  });

  test("users: least privilege, literal topics, no cluster rights", () => {
    const users: Record<string, Json> = Object.fromEntries(byKind(objs, "KafkaUser").map((u) => [u.metadata.name, u.spec]));
    const gateway = users["ingest-gateway"];
    expect(gateway.authentication).toEqual({ type: "scram-sha-512" });
    expect(gateway.authorization.acls).toHaveLength(EVENT_CATEGORIES.length);
    for (const acl of gateway.authorization.acls) {
      expect(acl.resource).toMatchObject({ type: "topic", patternType: "literal" });
      expect(acl.operations).toEqual(["Write", "Describe"]);
    }
    const consumers = users["platform-consumers"].authorization.acls;
    expect(consumers).toContainEqual({
      resource: { type: "group", name: "consumers.", patternType: "prefix" },
      operations: ["Read"],
      host: "*",
    });
    expect(consumers).toContainEqual(
      expect.objectContaining({
        resource: { type: "topic", name: "events.dead-letter", patternType: "literal" },
        operations: ["Write", "Describe"],
      }),
    );
    const allAcls = Object.values(users).flatMap((u) => u.authorization.acls);
    expect(allAcls.filter((a: Json) => a.resource.type === "cluster" || a.resource.name.includes("*"))).toEqual([]);
  });

  test("operator stack: pinned Strimzi chart, watching the kafka namespace, on the system pool", () => {
    const [release] = resources(out["kafka-operator"], "helm_release");
    expect(release).toMatchObject({
      repository: STRIMZI_CHART.repository,
      chart: STRIMZI_CHART.chart,
      version: STRIMZI_CHART.version,
      namespace: "strimzi-system",
    });
    const values = JSON.parse(release.values[0]);
    expect(values).toMatchObject({
      watchNamespaces: ["kafka"],
      watchAnyNamespace: false,
      nodeSelector: { "platform.streaming-kit/pool": "system" },
    });
    // The kit owns both namespaces (the chart no longer creates its own), and the operator runs restricted operands.
    expect(
      resources(out["kafka-operator"], "kubernetes_namespace_v1")
        .map((n) => n.metadata.name)
        .sort(),
    ).toEqual(["kafka", "strimzi-system"]);
    expect(release.create_namespace).toBe(false);
    expect(values.extraEnvs).toEqual([{ name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value: "restricted" }]);
  });

  test("the cluster stack depends on the operator stack (CRDs exist before it plans)", () => {
    expect(manifest.stacks["prod-kafka"].dependencies).toContain("prod-kafka-operator");
  });
});

(strimziSchemasPresent ? describe : describe.skip)("every Strimzi resource validates against the Strimzi 1.2 CRD schemas", () => {
  test.each(environments.map((e) => [e.name, e]))("%s", (_name, env) => {
    const objs = manifests(synthEnvironment(env).out.kafka).filter((o) => o.apiVersion.startsWith("kafka.strimzi.io/"));
    expect(new Set(objs.map((o) => o.kind))).toEqual(new Set(["Kafka", "KafkaNodePool", "KafkaRebalance", "KafkaTopic", "KafkaUser"]));
    const failures = objs
      .map((o) => ({ name: `${o.kind}/${o.metadata.name}`, errors: strimziSchemaErrors(o as any) }))
      .filter((f) => f.errors.length);
    expect(failures).toEqual([]);
  });

  test("the validator rejects a resource the CRD forbids (it is not vacuous)", () => {
    const bad = {
      apiVersion: "kafka.strimzi.io/v1",
      kind: "KafkaNodePool",
      metadata: { name: "x" },
      spec: { replicas: 3, roles: ["zookeeper"], storage: { type: "jbod", volumes: [] } },
    };
    expect(strimziSchemaErrors(bad).join("\n")).toMatch(/roles\/0 must be equal to one of the allowed values/);
  });
});

if (!strimziSchemasPresent) {
  test("Strimzi CRD schemas are absent: schema validation skipped", () => {
    console.warn(`Strimzi CRD schemas not found at ${STRIMZI_SCHEMA_DIR}; schema tests skipped (set STRIMZI_SCHEMA_DIR).`);
  });
}

describe("environment differences come from config", () => {
  test("dev runs 3 fixed brokers with planner-sized disks and 6 partitions per topic", () => {
    const objs = manifests(synthEnvironment(dev).out.kafka);
    const brokers = byKind(objs, "KafkaNodePool").find((p) => p.metadata.name === "brokers")!;
    expect(brokers.spec.replicas).toBe(3);
    expect(brokers.spec.storage.volumes[0].size).toBe("100Gi");
    const [hpa] = byKind(objs, "HorizontalPodAutoscaler");
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([3, 3]);
    expect(byKind(objs, "KafkaTopic").find((t) => t.spec.topicName === "events.system")!.spec.partitions).toBe(6);
  });
});

describe("the cluster and its topics are protected from destroy and replace", () => {
  const protectedKinds = (env: typeof prod) =>
    resources(synthEnvironment(env).out.kafka, "kubernetes_manifest")
      .filter((m) => m.lifecycle?.prevent_destroy === true)
      .map((m) => m.manifest.kind);

  test("prod: the Kafka resource, both node pools and every topic refuse a destroying plan", () => {
    const kinds = protectedKinds(prod);
    expect(kinds.filter((k) => k === "Kafka")).toHaveLength(1);
    expect(kinds.filter((k) => k === "KafkaNodePool")).toHaveLength(2);
    expect(kinds.filter((k) => k === "KafkaTopic")).toHaveLength(TOPIC_CATALOG.length);
  });

  test("dev (kafka.preventDestroy: false) can be torn down; production refuses false", () => {
    expect(protectedKinds(dev)).toEqual([]);
    expect(
      findConfigProblems(withOverrides(prod, { kafka: { preventDestroy: false } })).problems.map((p) => `${p.path}: ${p.message}`),
    ).toEqual(["prod.kafka.preventDestroy: got false, production keeps its Kafka cluster and topics protected from destroy and replace"]);
  });
});
