import { Construct } from "constructs";
import { KubeManifest } from "../k8s/manifest";
import { IKafkaCluster, STRIMZI_API } from "./kafka-cluster";

export interface KafkaUserProps {
  readonly cluster: IKafkaCluster;
  /** Kafka principal and Kubernetes name; Strimzi writes the credentials to a Secret of the same name. */
  readonly userName: string;
  /** Topics this user may produce to (Write, Describe). @default none */
  readonly produceTo?: readonly string[];
  /** Topics this user may consume (Read, Describe). @default none */
  readonly consumeFrom?: readonly string[];
  /** Consumer group name prefix this user may join; required with consumeFrom. */
  readonly consumerGroupPrefix?: string;
}

type Acl = { resource: { type: string; name: string; patternType: string }; operations: string[]; host: string };

/**
 * A SCRAM-SHA-512 user with least-privilege ACLs: literal topic names only,
 * and one consumer-group prefix. No cluster-level or wildcard rights.
 */
export class KafkaUser extends Construct {
  readonly userName: string;
  /** Secret with `password` and `sasl.jaas.config`, created by the user operator. */
  readonly secretName: string;
  readonly acls: readonly Acl[];

  constructor(scope: Construct, id: string, props: KafkaUserProps) {
    super(scope, id);
    const produce = props.produceTo ?? [];
    const consume = props.consumeFrom ?? [];
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.userName)) {
      throw new Error(`KafkaUser ${id}: userName ${JSON.stringify(props.userName)} must be a lowercase Kubernetes name`);
    }
    if (produce.length + consume.length === 0) throw new Error(`KafkaUser ${id}: grant at least one of produceTo or consumeFrom`);
    if (consume.length > 0 && !props.consumerGroupPrefix) throw new Error(`KafkaUser ${id}: consumeFrom needs consumerGroupPrefix`);
    if ([...produce, ...consume].some((t) => t.includes("*")))
      throw new Error(`KafkaUser ${id}: wildcard topics are not allowed; name each topic`);
    const literal = (type: string, name: string, operations: string[]): Acl => ({
      resource: { type, name, patternType: "literal" },
      operations,
      host: "*",
    });
    const acls: Acl[] = [
      ...produce.map((t) => literal("topic", t, ["Write", "Describe"])),
      ...consume.map((t) => literal("topic", t, ["Read", "Describe"])),
      ...(consume.length
        ? [{ resource: { type: "group", name: props.consumerGroupPrefix!, patternType: "prefix" }, operations: ["Read"], host: "*" }]
        : []),
    ];
    new KubeManifest(this, "user", {
      object: {
        apiVersion: STRIMZI_API,
        kind: "KafkaUser",
        metadata: { name: props.userName, namespace: props.cluster.namespace, labels: { "strimzi.io/cluster": props.cluster.clusterName } },
        spec: { authentication: { type: "scram-sha-512" }, authorization: { type: "simple", acls } },
      },
    });
    this.userName = props.userName;
    this.secretName = props.userName;
    this.acls = acls;
  }
}
