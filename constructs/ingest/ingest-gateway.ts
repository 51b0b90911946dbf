// Types only: the objects are checked against the Kubernetes API types when the kit compiles, and validated
// with kubernetes-models in the test suite. Loading the models at synth cost ~100 ms (BENCHMARKS.md).
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { Construct } from "constructs";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { IService } from "kubernetes-models/v1/Service";
import { cpuQuantity, memoryQuantity } from "../../domain/k8s-quantity";
import { KAFKA_CLIENT_LABEL } from "../../domain/names";
import { PoolScheduling } from "../../domain/node-pools";
import { IKafkaCluster } from "../kafka/kafka-cluster";
import { IKafkaUser } from "../kafka/kafka-user";
import { KubeManifest, KubeObject, podScheduling } from "../k8s/manifest";

export interface IngestGatewayProps {
  /** The cluster the gateway produces to; the gateway runs in its namespace (secrets do not cross namespaces). */
  readonly kafka: IKafkaCluster;
  /** The Kafka user whose Strimzi secret the gateway authenticates with. */
  readonly kafkaUser: IKafkaUser;
  /** Container image with a tag or digest. */
  readonly image: string;
  /** Replica range of the HPA; the Deployment starts at min. */
  readonly replicas: { readonly min: number; readonly max: number };
  /** CPU request in cores and memory (request = limit) in MiB, per replica. */
  readonly resources: { readonly cpu: number; readonly memoryMiB: number };
  /** Average CPU the HPA aims for, percent of the request. */
  readonly targetCpuUtilization: number;
  /** What a batch with some invalid events gets: rejected whole, or the valid part accepted. */
  readonly partialBatchPolicy: "reject-batch" | "accept-valid";
  /** Node selector and tolerations of the pool the pods run on. */
  readonly scheduling: PoolScheduling;
  /**
   * `release` label value the Prometheus operator selects ServiceMonitors by;
   * undefined emits no ServiceMonitor (its CRD comes with kube-prometheus-stack).
   * @default no ServiceMonitor
   */
  readonly prometheusRelease?: string;
  /** Name of every object (Deployment, Service, HPA, PDB). @default "ingest-gateway" */
  readonly name?: string;
  /** Seconds the pod may take to drain after SIGTERM. @default 30 */
  readonly drainSeconds?: number;
}

/** The gateway's HTTP port: the ingest API, health and /metrics. */
export const INGEST_GATEWAY_PORT = 8080;
const PORT = INGEST_GATEWAY_PORT;
/** Labels every gateway pod carries whatever its name (network policies select the gateway by them). */
export const INGEST_GATEWAY_POD_LABELS = {
  "app.kubernetes.io/component": "ingest",
  "app.kubernetes.io/part-of": "streaming-platform",
} as const;
const CA_DIR = "/etc/kafka-ca";

/**
 * The ingest gateway on Kubernetes: Deployment (TLS + SCRAM to Kafka from the
 * Strimzi secrets, idempotent producer, probes, graceful drain, hardened pod),
 * Service, HPA on CPU, PDB, and a ServiceMonitor. Every object is typed with
 * the Kubernetes API types (kubernetes-models) and validated against their
 * schemas in the tests, for every environment.
 *
 * It runs in the Kafka namespace because Kubernetes secrets do not cross
 * namespaces and it needs the user secret and the cluster CA that Strimzi writes there.
 */
export class IngestGateway extends Construct {
  readonly name: string;
  readonly namespace: string;
  /** In-cluster URL of the ingest endpoint. */
  readonly url: string;
  /** Every object applied, typed by kind. */
  readonly objects: readonly KubeObject[];

  constructor(scope: Construct, id: string, props: IngestGatewayProps) {
    super(scope, id);
    const name = props.name ?? "ingest-gateway";
    const ns = props.kafka.namespace;
    const drain = props.drainSeconds ?? 30;
    const problems: string[] = [];
    if (!(props.replicas.min >= 1 && props.replicas.max >= props.replicas.min))
      problems.push(`replicas: got min ${props.replicas.min}, max ${props.replicas.max}`);
    if (!/[:@]/.test(props.image.split("/").pop() ?? "") || props.image.endsWith(":latest"))
      problems.push(`image ${JSON.stringify(props.image)} needs a pinned tag or digest`);
    if (!(drain >= 10)) problems.push(`drainSeconds: got ${drain}, expected at least 10`);
    if (props.kafkaUser.cluster.clusterName !== props.kafka.clusterName || props.kafkaUser.cluster.namespace !== ns) {
      problems.push(
        `kafkaUser ${props.kafkaUser.userName} belongs to ${props.kafkaUser.cluster.namespace}/${props.kafkaUser.cluster.clusterName}, not ${ns}/${props.kafka.clusterName}`,
      );
    }
    if (problems.length) throw new Error(`${this.node.path}: ${problems.join("; ")}`);

    const labels = { "app.kubernetes.io/name": name, ...INGEST_GATEWAY_POD_LABELS };
    const metadata = { name, namespace: ns, labels };
    const env: { name: string; value?: string; valueFrom?: object }[] = [
      { name: "PORT", value: String(PORT) },
      { name: "KAFKA_BROKERS", value: props.kafka.bootstrapServers },
      { name: "KAFKA_TLS", value: "true" },
      { name: "KAFKA_TLS_CA_FILE", value: `${CA_DIR}/ca.crt` },
      { name: "KAFKA_SASL_USERNAME", value: props.kafkaUser.userName },
      { name: "KAFKA_SASL_PASSWORD", valueFrom: { secretKeyRef: { name: props.kafkaUser.secretName, key: props.kafkaUser.passwordKey } } },
      // Real Kafka serves InitProducerId: no duplicates from the producer's own retries.
      { name: "KAFKA_IDEMPOTENCE", value: "on" },
      { name: "PARTIAL_BATCH_POLICY", value: props.partialBatchPolicy },
      // Leave time inside the grace period for the preStop pause and the process exit.
      { name: "DRAIN_TIMEOUT_MS", value: String((drain - 8) * 1000) },
    ];
    const deployment: IDeployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata,
      spec: {
        replicas: props.replicas.min,
        selector: { matchLabels: labels },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          // Not in the selector (immutable): the label lets the pods reach the Kafka listener (domain/names.ts).
          metadata: { labels: { ...labels, [KAFKA_CLIENT_LABEL]: "true" } },
          spec: {
            ...podScheduling(props.scheduling),
            terminationGracePeriodSeconds: drain,
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: labels },
              },
            ],
            securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "gateway",
                image: props.image,
                ports: [{ name: "http", containerPort: PORT }],
                env,
                resources: {
                  requests: { cpu: cpuQuantity(props.resources.cpu), memory: memoryQuantity(props.resources.memoryMiB) },
                  limits: { memory: memoryQuantity(props.resources.memoryMiB) },
                },
                readinessProbe: { httpGet: { path: "/readyz", port: "http" }, periodSeconds: 5, failureThreshold: 2 },
                livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10, failureThreshold: 3 },
                startupProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 2, failureThreshold: 30 },
                // Keep serving while the endpoint removal reaches every load balancer, then SIGTERM drains.
                lifecycle: { preStop: { sleep: { seconds: 5 } } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                volumeMounts: [{ name: "kafka-ca", mountPath: CA_DIR, readOnly: true }],
              },
            ],
            volumes: [
              { name: "kafka-ca", secret: { secretName: props.kafka.clusterCaCertSecret, items: [{ key: "ca.crt", path: "ca.crt" }] } },
            ],
          },
        },
      },
    };
    const service: IService = {
      apiVersion: "v1",
      kind: "Service",
      metadata,
      spec: { type: "ClusterIP", selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    };
    const hpa: IHorizontalPodAutoscaler = {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata,
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
        minReplicas: props.replicas.min,
        maxReplicas: props.replicas.max,
        metrics: [
          { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: props.targetCpuUtilization } } },
        ],
        behavior: {
          scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Percent", value: 100, periodSeconds: 30 }] },
          scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
        },
      },
    };
    const pdb: IPodDisruptionBudget = {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata,
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
    };
    const objects: KubeObject[] = [deployment, service, hpa, pdb];
    if (props.prometheusRelease) {
      const monitor: IServiceMonitor = {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { ...metadata, labels: { ...labels, release: props.prometheusRelease } },
        spec: {
          selector: { matchLabels: labels },
          namespaceSelector: { matchNames: [ns] },
          endpoints: [{ port: "http", path: "/metrics", interval: "15s" }],
        },
      };
      objects.push(monitor);
    }
    // After creation the HPA owns the Deployment's replica count. Apply waits for the rollout, so a deploy whose
    // pods cannot start (a missing secret, an unpullable image) fails instead of reporting success.
    objects.forEach(
      (o) =>
        new KubeManifest(this, o.kind.toLowerCase(), {
          object: o,
          computedFields: o.kind === "Deployment" ? ["spec.replicas"] : undefined,
          waitFor: o.kind === "Deployment" ? { rollout: true, timeouts: { createMinutes: 10, updateMinutes: 15 } } : undefined,
        }),
    );

    this.name = name;
    this.namespace = ns;
    this.url = `http://${name}.${ns}.svc/v1/events`;
    this.objects = objects;
  }
}
