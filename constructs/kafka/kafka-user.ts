import { Construct } from "constructs";
import { CustomResource, KubeManifest } from "../k8s/manifest";
import { afterCluster, IKafkaCluster, STRIMZI_API, strimziReady } from "./kafka-cluster";
import { IKafkaTopic } from "./kafka-topics";

/** A Kafka principal with SCRAM credentials that clients authenticate as. */
export interface IKafkaUser {
  /** SCRAM user name (the Kafka principal). */
  readonly userName: string;
  /** Secret, in the cluster's namespace, that holds the credentials (written by Strimzi's user operator). */
  readonly secretName: string;
  /** Key of the password inside `secretName`. */
  readonly passwordKey: string;
  /** The cluster the user exists in. */
  readonly cluster: IKafkaCluster;
}

export interface KafkaUserProps {
  /** The cluster the user is created in. */
  readonly cluster: IKafkaCluster;
  /** Kafka principal and Kubernetes name; Strimzi writes the credentials to a Secret of the same name. */
  readonly userName: string;
  /** Topics this user may produce to (Write, Describe). @default none */
  readonly produceTo?: readonly IKafkaTopic[];
  /** Topics this user may consume (Read, Describe). @default none */
  readonly consumeFrom?: readonly IKafkaTopic[];
  /** Consumer group name prefix this user may join; required with consumeFrom. @default none (no group rights) */
  readonly consumerGroupPrefix?: string;
  /**
   * Minutes apply waits for Strimzi's user operator to report the user Ready
   * (its Secret written). It starts once the cluster is Ready when both are in
   * one stack.
   * @default 10
   */
  readonly readyTimeoutMinutes?: number;
}

/** One ACL rule as Strimzi's KafkaUser spells it. */
export interface KafkaAcl {
  readonly resource: { readonly type: "topic" | "group"; readonly name: string; readonly patternType: "literal" | "prefix" };
  readonly operations: readonly string[];
  readonly host: string;
}

/**
 * A SCRAM-SHA-512 user with least-privilege ACLs: literal topic names only,
 * and one consumer-group prefix. No cluster-level or wildcard rights. Topics
 * are typed references to topics of the same cluster, so a misspelt topic
 * fails at synth rather than at Strimzi's reconcile.
 */
export class KafkaUser extends Construct implements IKafkaUser {
  readonly userName: string;
  readonly secretName: string;
  readonly passwordKey = "password";
  readonly cluster: IKafkaCluster;
  readonly acls: readonly KafkaAcl[];
  /** The KafkaUser resource. */
  readonly manifest: KubeManifest<CustomResource>;

  constructor(scope: Construct, id: string, props: KafkaUserProps) {
    super(scope, id);
    const produce = props.produceTo ?? [];
    const consume = props.consumeFrom ?? [];
    const fail = (message: string): never => {
      throw new Error(`${this.node.path}: ${message}`);
    };
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.userName))
      fail(`userName ${JSON.stringify(props.userName)} must be a lowercase Kubernetes name`);
    if (produce.length + consume.length === 0) fail("grant at least one of produceTo or consumeFrom");
    if (consume.length > 0 && !props.consumerGroupPrefix) fail("consumeFrom needs consumerGroupPrefix");
    const readyMinutes = props.readyTimeoutMinutes ?? 10;
    if (!(Number.isInteger(readyMinutes) && readyMinutes >= 5))
      fail(`readyTimeoutMinutes: got ${readyMinutes}, expected whole minutes, at least 5`);
    const foreign = [...produce, ...consume].find(
      (t) => t.cluster.clusterName !== props.cluster.clusterName || t.cluster.namespace !== props.cluster.namespace,
    );
    if (foreign)
      fail(
        `topic ${foreign.topicName} belongs to cluster ${foreign.cluster.namespace}/${foreign.cluster.clusterName}, not ${props.cluster.namespace}/${props.cluster.clusterName}`,
      );
    const literal = (name: string, operations: string[]): KafkaAcl => ({
      resource: { type: "topic", name, patternType: "literal" },
      operations,
      host: "*",
    });
    const acls: KafkaAcl[] = [
      ...produce.map((t) => literal(t.topicName, ["Write", "Describe"])),
      ...consume.map((t) => literal(t.topicName, ["Read", "Describe"])),
      ...(consume.length
        ? [
            {
              resource: { type: "group" as const, name: props.consumerGroupPrefix!, patternType: "prefix" as const },
              operations: ["Read"],
              host: "*",
            },
          ]
        : []),
    ];
    this.manifest = new KubeManifest<CustomResource>(this, "user", {
      object: {
        apiVersion: STRIMZI_API,
        kind: "KafkaUser",
        metadata: { name: props.userName, namespace: props.cluster.namespace, labels: { "strimzi.io/cluster": props.cluster.clusterName } },
        spec: { authentication: { type: "scram-sha-512" }, authorization: { type: "simple", acls } },
      },
      // Apply returns when the user operator has written the credentials Secret that clients mount.
      waitFor: strimziReady(readyMinutes),
      dependsOn: afterCluster(this, props.cluster),
    });
    this.userName = props.userName;
    this.secretName = props.userName;
    this.cluster = props.cluster;
    this.acls = acls;
  }
}
