import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { TerraformResource, TerraformStack } from "cdktf";
import { Construct } from "constructs";
// Type only: validated with kubernetes-models in the tests, not loaded at synth (~100 ms).
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { cpuQuantity, jvmHeapSize, memoryQuantity } from "../../domain/k8s-quantity";
import { kafkaBrokerConfig } from "../../domain/kafka-broker-config";
import { KAFKA_JMX_METRICS_CONFIG, KAFKA_JMX_METRICS_KEY } from "../../domain/kafka-jmx-metrics";
import { topologyProblems } from "../../domain/kafka-topology";
import { ContainerSize, DEFAULT_KAFKA_CONTROLLER, KAFKA_OPERANDS } from "../../domain/platform-workloads";
import { KAFKA_CLUSTER_NAME } from "../../domain/names";
import { PoolScheduling } from "../../domain/node-pools";
import { CustomResource, KubeManifest, podScheduling, WaitFor } from "../k8s/manifest";
import type { INetworkPolicyPeer } from "../k8s/network-policy";

export const STRIMZI_API = "kafka.strimzi.io/v1";
/** Internal TLS listener with SCRAM-SHA-512: the only way in. */
export const KAFKA_TLS_PORT = 9093;
const ZONE_KEY = "topology.kubernetes.io/zone";

/** What topics, users and clients need to know about a Kafka cluster. */
export interface IKafkaCluster {
  readonly clusterName: string;
  readonly namespace: string;
  /** `host:port` of the TLS bootstrap service inside the cluster. */
  readonly bootstrapServers: string;
  /** Secret holding the cluster CA certificate (`ca.crt`) clients must trust. */
  readonly clusterCaCertSecret: string;
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly brokerPoolName: string;
  /**
   * The Kafka resource, whose apply finishes only when Strimzi reports the
   * cluster Ready (its CA secrets exist, brokers and entity operator run).
   * Resources of the same stack that need the running cluster depend on it;
   * a later stack is ordered by its stack dependency.
   */
  readonly ready: TerraformResource;
}

/**
 * What apply waits for on a Strimzi resource: its `Ready` condition, which the
 * operator sets to "True" only at the end of a successful reconcile (Strimzi
 * 1.2.0 KafkaAssemblyOperator, StatusUtils; until then the status holds
 * `NotReady`).
 */
export function strimziReady(minutes: number): WaitFor {
  return { conditions: [{ type: "Ready", status: "True" }], timeouts: { createMinutes: minutes, updateMinutes: minutes } };
}

/** A JVM pod's size: CPU request, memory (request = limit) and the heap inside it. */
export interface PodResources {
  /** CPU request in cores (0.5 = half a core). */
  readonly cpu: number;
  /** Memory request and limit, MiB. */
  readonly memoryMiB: number;
  /** JVM heap, MiB; the rest of memoryMiB is page cache. */
  readonly heapMiB: number;
}

export interface KafkaClusterProps {
  /** Name of the Kafka resource. @default "events" */
  readonly name?: string;
  /** Namespace the Strimzi operator watches; every resource of the cluster goes there. */
  readonly namespace: string;
  /** Apache Kafka version the operator supports. */
  readonly version: string;
  /** Broker counts; the HPA moves between min and max, initial is the first deploy. */
  readonly brokers: { readonly min: number; readonly initial: number; readonly max: number };
  /** KRaft controllers (a controller-only node pool). @default 3 */
  readonly controllers?: number;
  /** Default and internal-topic replication factor. @default 3 */
  readonly replicationFactor?: number;
  /** min.insync.replicas for acks=all producers. @default 2 */
  readonly minInsyncReplicas?: number;
  /** Default topic retention. */
  readonly retentionHours: number;
  /** Persistent volume per broker. */
  readonly brokerStorage: { readonly sizeGiB: number; readonly storageClassName: string };
  /** Metadata volume per controller. @default 20 GiB on the broker storage class */
  readonly controllerStorageGiB?: number;
  /** Broker pod size. */
  readonly brokerResources: PodResources;
  /** Controller pod size. @default 1 CPU, 4096 MiB, 1024 MiB heap */
  readonly controllerResources?: PodResources;
  /** Brokers and controllers (the kafka pool). */
  readonly kafkaScheduling: PoolScheduling;
  /** Entity operator, Cruise Control and Kafka Exporter (the system pool). */
  readonly operandScheduling: PoolScheduling;
  /** The broker HPA: average CPU it aims for (percent of requests) and how long it waits before removing a broker. */
  readonly autoscaling: { readonly targetCpuUtilization: number; readonly scaleDownStabilizationSeconds: number };
  /**
   * Refuse plans that destroy or replace the Kafka resource or its node pools:
   * a replaced Kafka resource loses its KRaft cluster id, and brokers on the
   * kept volumes then refuse to start. Off only for throwaway environments.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Replication throttle while Cruise Control moves partitions, bytes/s. Keeps
   * a rebalance from starving producers and followers.
   * @default 50 MB/s
   */
  readonly rebalanceThrottleBytesPerSec?: number;
  /**
   * Who may connect to the TLS listener (Strimzi's `networkPolicyPeers`:
   * Strimzi writes them into the NetworkPolicy it generates for the brokers).
   * @default anyone (Strimzi opens a listener without peers to all)
   */
  readonly listenerPeers?: readonly INetworkPolicyPeer[];
  /**
   * Minutes `terraform apply` waits for the Kafka resource to become Ready.
   * A first rollout provisions the volumes, starts the controllers, then the
   * brokers, then the entity operator, Cruise Control and Kafka Exporter.
   * @default 30
   */
  readonly readyTimeoutMinutes?: number;
}

const gib = (n: number) => `${n}Gi`;

/**
 * On broker and controller pods: Karpenter never consolidates or drifts the
 * node under them (it still drains them when EC2 retires the instance). A
 * broker moved by a node autoscaler restarts, and its partitions stay
 * under-replicated until it has caught up. Inert where no Karpenter runs.
 */
export const KAFKA_POD_ANNOTATIONS: Readonly<Record<string, string>> = { "karpenter.sh/do-not-disrupt": "true" };

/** A container's requests, with memory limit = request (a JVM sized from its limit, no OOM surprises). */
const containerResources = (c: ContainerSize) => ({
  requests: { cpu: cpuQuantity(c.cpuMillis / 1000), memory: memoryQuantity(c.memoryMiB) },
  limits: { memory: memoryQuantity(c.memoryMiB) },
});

/**
 * A KRaft Kafka cluster on Strimzi: a controller-only node pool, a broker-only
 * node pool driven by an HPA, Cruise Control auto-rebalancing on scale-out and
 * scale-in, rack awareness by zone with follower fetching, SCRAM over TLS, and
 * JMX + Kafka Exporter metrics.
 */
export class KafkaCluster extends Construct implements IKafkaCluster {
  readonly clusterName: string;
  readonly namespace: string;
  readonly bootstrapServers: string;
  readonly clusterCaCertSecret: string;
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly brokerPoolName: string;
  readonly ready: TerraformResource;
  readonly controllerPoolName: string;
  readonly brokers: { readonly min: number; readonly initial: number; readonly max: number };
  /** The custom resources this construct emits, for inspection and tests. */
  readonly resources: {
    readonly kafka: KubeManifest<CustomResource>;
    readonly controllers: KubeManifest<CustomResource>;
    readonly brokers: KubeManifest<CustomResource>;
    readonly autoscaler: KubeManifest<IHorizontalPodAutoscaler>;
    readonly rebalanceTemplates: readonly KubeManifest<CustomResource>[];
  };

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    const name = props.name ?? KAFKA_CLUSTER_NAME;
    const ns = props.namespace;
    const rf = props.replicationFactor ?? 3;
    const minIsr = props.minInsyncReplicas ?? 2;
    const controllers = props.controllers ?? 3;
    const problems = topologyProblems({ brokers: props.brokers, controllers, replicationFactor: rf, minInsyncReplicas: minIsr }).map(
      (p) => `${p.field}: ${p.message}`,
    );
    const t = props.autoscaling.targetCpuUtilization;
    if (!(Number.isInteger(t) && t >= 10 && t <= 95)) problems.push(`autoscaling.targetCpuUtilization: got ${t}, expected 10-95`);
    const readyMinutes = props.readyTimeoutMinutes ?? 30;
    if (!(Number.isInteger(readyMinutes) && readyMinutes >= 20))
      problems.push(`readyTimeoutMinutes: got ${readyMinutes}, expected whole minutes, at least 20 for a first rollout`);
    if (props.listenerPeers !== undefined && props.listenerPeers.length === 0)
      problems.push("listenerPeers: empty list; Strimzi would open the listener to everyone (leave it out to mean that)");
    if (!(props.retentionHours >= 1)) problems.push(`retentionHours: got ${props.retentionHours}, expected at least 1`);
    if (!(props.brokerStorage.sizeGiB >= 10))
      problems.push(`brokerStorage.sizeGiB: got ${props.brokerStorage.sizeGiB}, expected at least 10`);
    for (const [field, r] of [
      ["brokerResources", props.brokerResources],
      ["controllerResources", props.controllerResources],
    ] as const) {
      if (r && !(r.heapMiB < r.memoryMiB))
        problems.push(`${field}.heapMiB: got ${r.heapMiB}, must be below memoryMiB (${r.memoryMiB}) or the pod is OOM-killed`);
    }
    if (problems.length) throw new Error(`${this.node.path}: ${problems.join("; ")}`);

    const preventDestroy = props.preventDestroy ?? true;
    const clusterLabel = { "strimzi.io/cluster": name };
    const brokerPool = "brokers";
    const controllerPool = "controllers";
    const kafkaPod = podScheduling(props.kafkaScheduling);
    const operandPod = { pod: podScheduling(props.operandScheduling) };

    const metrics = new ConfigMapV1(this, "jmx-metrics", {
      metadata: { name: `${name}-kafka-metrics`, namespace: ns, labels: clusterLabel },
      data: { [KAFKA_JMX_METRICS_KEY]: KAFKA_JMX_METRICS_CONFIG },
    });

    const rebalanceTemplate = (mode: "add" | "remove") =>
      new KubeManifest<CustomResource>(this, `rebalance-${mode}`, {
        object: {
          apiVersion: STRIMZI_API,
          kind: "KafkaRebalance",
          metadata: {
            name: `${name}-rebalance-${mode}-brokers`,
            namespace: ns,
            labels: clusterLabel,
            // Marks it as a template: the operator copies it for each auto-rebalance, never runs it directly.
            annotations: { "strimzi.io/rebalance-template": "true" },
          },
          spec: {
            concurrentPartitionMovementsPerBroker: 5,
            replicationThrottle: props.rebalanceThrottleBytesPerSec ?? 50_000_000,
          },
        },
      });
    const rebalanceTemplates = [rebalanceTemplate("add"), rebalanceTemplate("remove")];

    const nodePool = (
      pool: string,
      role: "controller" | "broker",
      replicas: number,
      sizeGiB: number,
      res: PodResources,
      computed?: string[],
    ) =>
      new KubeManifest<CustomResource>(this, `pool-${pool}`, {
        object: {
          apiVersion: STRIMZI_API,
          kind: "KafkaNodePool",
          metadata: { name: pool, namespace: ns, labels: clusterLabel },
          spec: {
            replicas,
            roles: [role],
            // JBOD with one volume: more disks can be added later; the storage type itself can never change.
            storage: {
              type: "jbod",
              volumes: [
                {
                  id: 0,
                  type: "persistent-claim",
                  size: gib(sizeGiB),
                  class: props.brokerStorage.storageClassName,
                  deleteClaim: false,
                  kraftMetadata: "shared",
                },
              ],
            },
            resources: {
              requests: { cpu: cpuQuantity(res.cpu), memory: memoryQuantity(res.memoryMiB) },
              limits: { memory: memoryQuantity(res.memoryMiB) },
            },
            jvmOptions: { "-Xms": jvmHeapSize(res.heapMiB), "-Xmx": jvmHeapSize(res.heapMiB) },
            template: {
              pod: {
                metadata: { annotations: { ...KAFKA_POD_ANNOTATIONS } },
                ...kafkaPod,
                topologySpreadConstraints: [
                  {
                    maxSkew: 1,
                    topologyKey: ZONE_KEY,
                    whenUnsatisfiable: "DoNotSchedule",
                    labelSelector: { matchLabels: { "strimzi.io/pool-name": pool } },
                  },
                ],
              },
            },
          },
        },
        computedFields: computed,
        preventDestroy,
      });
    const controllerRes = props.controllerResources ?? DEFAULT_KAFKA_CONTROLLER;
    const controllersPool = nodePool(controllerPool, "controller", controllers, props.controllerStorageGiB ?? 20, controllerRes);
    // After the first apply the HPA owns spec.replicas; Terraform must not put it back.
    const brokersPool = nodePool(brokerPool, "broker", props.brokers.initial, props.brokerStorage.sizeGiB, props.brokerResources, [
      "spec.replicas",
    ]);

    const kafka = new KubeManifest<CustomResource>(this, "kafka", {
      object: {
        apiVersion: STRIMZI_API,
        kind: "Kafka",
        metadata: { name, namespace: ns, annotations: { "strimzi.io/node-pools": "enabled", "strimzi.io/kraft": "enabled" } },
        spec: {
          kafka: {
            version: props.version,
            listeners: [
              {
                name: "tls",
                port: KAFKA_TLS_PORT,
                type: "internal",
                tls: true,
                authentication: { type: "scram-sha-512" },
                ...(props.listenerPeers ? { networkPolicyPeers: props.listenerPeers.map((p) => ({ ...p })) } : {}),
              },
            ],
            authorization: { type: "simple" },
            rack: { topologyKey: ZONE_KEY },
            config: kafkaBrokerConfig({ replicationFactor: rf, minInsyncReplicas: minIsr, retentionHours: props.retentionHours }),
            metricsConfig: {
              type: "jmxPrometheusExporter",
              valueFrom: { configMapKeyRef: { name: metrics.metadata.name, key: KAFKA_JMX_METRICS_KEY } },
            },
            template: { podDisruptionBudget: { maxUnavailable: 1 } },
          },
          // Requests from domain/platform-workloads.ts, which the scheduling planner counts on the system pool.
          entityOperator: {
            topicOperator: { resources: containerResources(KAFKA_OPERANDS.topicOperator) },
            userOperator: { resources: containerResources(KAFKA_OPERANDS.userOperator) },
            template: operandPod,
          },
          cruiseControl: {
            resources: containerResources(KAFKA_OPERANDS.cruiseControl),
            autoRebalance: [
              { mode: "add-brokers", template: { name: rebalanceTemplates[0].name } },
              { mode: "remove-brokers", template: { name: rebalanceTemplates[1].name } },
            ],
            template: operandPod,
          },
          kafkaExporter: {
            topicRegex: ".*",
            groupRegex: ".*",
            resources: containerResources(KAFKA_OPERANDS.kafkaExporter),
            template: operandPod,
          },
        },
      },
      // Apply returns when Strimzi reports the cluster Ready, so the ingest stack never starts before the secrets exist.
      waitFor: strimziReady(readyMinutes),
      // Everything the Kafka resource references exists before the operator reconciles it (its node pools, metrics
      // config and rebalance templates), so the first reconcile can succeed instead of failing and waiting for the next.
      dependsOn: [metrics, controllersPool.resource, brokersPool.resource, ...rebalanceTemplates.map((t) => t.resource)],
      preventDestroy,
    });

    const hpa: IHorizontalPodAutoscaler = {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: `${name}-${brokerPool}`, namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: STRIMZI_API, kind: "KafkaNodePool", name: brokerPool },
        minReplicas: props.brokers.min,
        maxReplicas: props.brokers.max,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: t } } }],
        behavior: {
          // Conservative up: one broker per 5 minutes, after 5 minutes of sustained load;
          // each step triggers a Cruise Control rebalance that must finish first.
          scaleUp: { stabilizationWindowSeconds: 300, selectPolicy: "Min", policies: [{ type: "Pods", value: 1, periodSeconds: 300 }] },
          scaleDown: {
            stabilizationWindowSeconds: props.autoscaling.scaleDownStabilizationSeconds,
            selectPolicy: "Min",
            policies: [{ type: "Pods", value: 1, periodSeconds: 600 }],
          },
        },
      },
    };
    const autoscaler = new KubeManifest(this, "broker-autoscaler", { object: hpa });

    this.clusterName = name;
    this.namespace = ns;
    this.bootstrapServers = `${name}-kafka-bootstrap.${ns}.svc:${KAFKA_TLS_PORT}`;
    this.clusterCaCertSecret = `${name}-cluster-ca-cert`;
    this.replicationFactor = rf;
    this.minInsyncReplicas = minIsr;
    this.brokerPoolName = brokerPool;
    this.ready = kafka.resource;
    this.controllerPoolName = controllerPool;
    this.brokers = props.brokers;
    this.resources = { kafka, controllers: controllersPool, brokers: brokersPool, autoscaler, rebalanceTemplates };
  }
}

/**
 * The cluster's Kafka resource when it is in the same stack as `scope` (its
 * apply ends when the cluster is Ready, so the user or topic operator runs by
 * then); nothing otherwise (the stack dependency orders them).
 */
export function afterCluster(scope: Construct, cluster: IKafkaCluster): TerraformResource[] | undefined {
  return TerraformStack.of(cluster.ready) === TerraformStack.of(scope) ? [cluster.ready] : undefined;
}
