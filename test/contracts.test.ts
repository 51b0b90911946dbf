import { TerraformStack, Testing } from "cdktf";
import { prod } from "../config/prod";
import { IngestGateway } from "../constructs/ingest/ingest-gateway";
import { KafkaCluster } from "../constructs/kafka/kafka-cluster";
import { KafkaUser } from "../constructs/kafka/kafka-user";
import { KubeManifest } from "../constructs/k8s/manifest";
import { InClusterStack } from "../stacks/in-cluster-stack";
import { gatewayProps, kafkaClusterProps, kafkaFixture } from "./fixtures/kafka-fixture";
import { Json, resources, synthEnvironment } from "./helpers";

describe("typed references between constructs", () => {
  test("a misspelt topic fails at synth, naming the construct and the known topics", () => {
    const { topics } = kafkaFixture();
    expect(() => topics.topic("events.transaction")).toThrow(
      'fixture/topics: no topic "events.transaction"; known: events.user-actions, events.transactions, events.inventory, events.system, events.dead-letter',
    );
  });

  test("a user cannot be granted a topic of another cluster", () => {
    const { stack, cluster } = kafkaFixture();
    const other = kafkaFixture("other", "audit").topics;
    expect(
      () =>
        new KafkaUser(stack, "reader", {
          cluster,
          userName: "reader",
          consumeFrom: [other.topic("events.system")],
          consumerGroupPrefix: "c.",
        }),
    ).toThrow("fixture/reader: topic events.system belongs to cluster kafka/audit, not kafka/events");
  });

  test("user rights come from the topic objects: literal ACLs, one group prefix", () => {
    const { stack, cluster, topics } = kafkaFixture();
    const user = new KafkaUser(stack, "reader", {
      cluster,
      userName: "reader",
      consumeFrom: [topics.topic("events.system")],
      produceTo: [topics.topic("events.dead-letter")],
      consumerGroupPrefix: "c.",
    });
    expect(user.acls).toEqual([
      { resource: { type: "topic", name: "events.dead-letter", patternType: "literal" }, operations: ["Write", "Describe"], host: "*" },
      { resource: { type: "topic", name: "events.system", patternType: "literal" }, operations: ["Read", "Describe"], host: "*" },
      { resource: { type: "group", name: "c.", patternType: "prefix" }, operations: ["Read"], host: "*" },
    ]);
    expect(user.passwordKey).toBe("password");
  });

  test("the gateway refuses a Kafka user of another cluster", () => {
    const { stack, cluster } = kafkaFixture();
    const other = kafkaFixture("other", "audit");
    const foreignUser = new KafkaUser(other.stack, "writer", {
      cluster: other.cluster,
      userName: "writer",
      produceTo: [other.topics.topic("events.system")],
    });
    expect(() => new IngestGateway(stack, "gateway", gatewayProps(cluster, foreignUser))).toThrow(
      "fixture/gateway: kafkaUser writer belongs to kafka/audit, not kafka/events",
    );
  });

  test("construct errors name the construct path", () => {
    const stack = new TerraformStack(Testing.app(), "prod-kafka");
    expect(
      () => new KubeManifest(stack, "bad", { object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Not_A_Name" } } }),
    ).toThrow('prod-kafka/bad: metadata.name "Not_A_Name" is not a valid Kubernetes name');
    expect(
      () => new KafkaCluster(stack, "cluster", kafkaClusterProps({ brokerResources: { cpu: 2, memoryMiB: 2048, heapMiB: 2048 } })),
    ).toThrow("prod-kafka/cluster: brokerResources.heapMiB: got 2048, must be below memoryMiB (2048) or the pod is OOM-killed");
  });
});

describe("stack contracts (prod)", () => {
  const { stacks, out } = synthEnvironment(prod);

  test("every in-cluster stack owns exactly one Kubernetes and one Helm provider, configured from the cluster", () => {
    const inCluster = Object.values(stacks).filter((s): s is InClusterStack => s instanceof InClusterStack);
    expect(inCluster.map((s) => s.layer).sort()).toEqual([
      "cluster-base",
      "ingest",
      "kafka",
      "kafka-operator",
      "karpenter",
      "lb-controller",
      "node-pools",
    ]);
    for (const s of inCluster) {
      const tf = out[s.layer];
      expect(tf.provider.kubernetes).toHaveLength(1);
      expect(tf.provider.helm).toHaveLength(1);
      expect(tf.provider.kubernetes[0].exec[0].args).toEqual([
        "eks",
        "get-token",
        "--cluster-name",
        expect.stringMatching(/^\$\{/),
        "--region",
        prod.region,
      ]);
    }
  });

  test("stack outputs carry terraform-aws-modules' names and a description", () => {
    const outputs = (layer: string): Json =>
      Object.fromEntries(Object.entries(out[layer].output ?? {}).filter(([k]) => !k.startsWith("cross-stack-output")));
    expect(Object.keys(outputs("network")).sort()).toEqual(["azs", "private_subnets", "public_subnets", "vpc_cidr_block", "vpc_id"]);
    expect(Object.keys(outputs("eks"))).toEqual(
      expect.arrayContaining([
        "cluster_name",
        "cluster_endpoint",
        "cluster_certificate_authority_data",
        "oidc_provider_arn",
        "cluster_oidc_issuer_url",
      ]),
    );
    expect(outputs("kafka").kafka_bootstrap_servers.value).toBe("events-kafka-bootstrap.kafka.svc:9093");
    expect(outputs("ingest").ingest_gateway_url.value).toBe("http://ingest-gateway.kafka.svc/v1/events");
    for (const layer of ["network", "eks", "kafka-operator", "kafka", "ingest", "karpenter"]) {
      for (const [name, o] of Object.entries(outputs(layer)))
        expect([layer, name, typeof (o as { description?: string }).description]).toEqual([layer, name, "string"]);
    }
    expect(resources(out.eks, "aws_eks_cluster")).toHaveLength(1);
  });
});
