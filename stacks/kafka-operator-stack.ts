import { HttpProvider } from "@cdktf/provider-http/lib/provider";
import { Construct } from "constructs";
import { Namespace } from "../constructs/k8s/namespace";
import { kubernetesServiceCidr, tcpPorts } from "../constructs/k8s/network-policy";
import { KAFKA_TLS_PORT } from "../constructs/kafka/kafka-cluster";
import { STRIMZI_OPERATOR_METRICS_PORT, StrimziOperator } from "../constructs/kafka/strimzi-operator";
import { INGEST_GATEWAY_PORT, INGEST_GATEWAY_POD_LABELS } from "../constructs/ingest/ingest-gateway";
import { POD_READINESS_GATE_LABEL } from "../domain/load-balancing";
import { KAFKA_CLIENT_LABEL, KAFKA_CLUSTER_NAME, KAFKA_NAMESPACE, MONITORING_NAMESPACE, STRIMZI_NAMESPACE } from "../domain/names";
import { schedulingFor } from "../domain/node-pools";
import { podSecurityVersion } from "../domain/pod-security";
import { InClusterLayerProps, InClusterStack } from "./in-cluster-stack";
import { addOutput } from "./kit-stack";

/**
 * Metrics ports Prometheus scrapes in the Kafka namespace: 9404 (Kafka's JMX
 * exporter, Cruise Control, Kafka Exporter), 8080 and 8081 (the entity
 * operator's topic and user operators; 8080 is also the ingest gateway's HTTP
 * port, which serves /metrics).
 */
const KAFKA_NAMESPACE_METRICS_PORTS = [9404, 8080, 8081];

/** Where the kafka namespace lived before the kit owned it as a Namespace (StrimziOperator created it). */
const KAFKA_NAMESPACE_OLD_ADDRESS = "kubernetes_namespace_v1.strimzi_watch-namespace_0DCDF4F9";

/**
 * `<env>-kafka-operator`: the kit's namespaces for Kafka (the operator's and
 * the cluster's), each with its Pod Security Standard and its complete set of
 * NetworkPolicies, then the Strimzi operator and its CRDs. Separate from the
 * Kafka stack because kubernetes_manifest needs the CRDs at plan time.
 *
 * Every NetworkPolicy of a namespace is here, with the namespace, even those
 * for pods that later stacks run (the Kafka cluster, the ingest gateway): a
 * default deny that landed in one stack while the allows it needs waited for
 * a later one would cut running brokers and the gateway off for the minutes
 * in between. They select pods by label, so they need nothing from later stacks.
 *
 * The Strimzi CRDs are read at plan time from Strimzi's release with
 * hashicorp/http (constructs/helm/chart-crds.ts), hence that provider here.
 */
export class KafkaOperatorStack extends InClusterStack {
  readonly operator: StrimziOperator;
  /** The operator's namespace. */
  readonly operatorNamespace: Namespace;
  /** The Kafka cluster's namespace (also the gateway's: it mounts Strimzi's secrets). */
  readonly kafkaNamespace: Namespace;

  constructor(scope: Construct, props: InClusterLayerProps) {
    super(scope, { ...props, layer: "kafka-operator" });
    const env = props.env;
    // Restricted in both: the operator chart's security context meets it, and the operator writes restricted
    // contexts into every operand pod; the gateway's pod spec meets it too (docs/network-security.md).
    const podSecurity = { level: "restricted" as const, version: podSecurityVersion(env.eks.kubernetesVersion) };
    const apiServer = {
      serviceIpCidr: kubernetesServiceCidr(props.cluster.serviceIpv4Cidr),
      endpointCidrs: [env.network.vpcCidr],
    };

    this.operatorNamespace = new Namespace(this, "operator-namespace", {
      name: STRIMZI_NAMESPACE,
      podSecurity,
      // Helm's create_namespace made it before the kit owned it: adopted on clusters that have it.
      adoptExisting: true,
      scrapedBy: { namespace: MONITORING_NAMESPACE, ports: [STRIMZI_OPERATOR_METRICS_PORT] },
    });
    this.kafkaNamespace = new Namespace(this, "kafka-namespace", {
      name: KAFKA_NAMESPACE,
      podSecurity,
      scrapedBy: { namespace: MONITORING_NAMESPACE, ports: KAFKA_NAMESPACE_METRICS_PORTS },
      keepAddress: KAFKA_NAMESPACE_OLD_ADDRESS,
      // The ingest gateway runs here; behind its NLB its pods get the load balancer controller's readiness gate.
      labels: env.features.ingest && env.ingest.loadBalancer ? POD_READINESS_GATE_LABEL : undefined,
    });

    new HttpProvider(this, "http");
    this.operator = new StrimziOperator(this, "strimzi", {
      operatorNamespace: this.operatorNamespace,
      watchNamespace: this.kafkaNamespace,
      apiServer,
      scheduling: schedulingFor("system"),
    });

    // Kafka clients in this namespace (pods labelled KAFKA_CLIENT_LABEL: the gateway) reach the brokers' TLS listener.
    // The selector is part of the bootstrap Service's selector, so the VPC CNI's policy controller also allows that
    // Service's ClusterIP, which is where clients connect first. The brokers' side is the listener's networkPolicyPeers.
    this.kafkaNamespace.allow("kafka-clients", {
      pods: { matchLabels: { [KAFKA_CLIENT_LABEL]: "true" } },
      egress: [
        {
          to: [
            {
              podSelector: {
                matchLabels: { "strimzi.io/cluster": KAFKA_CLUSTER_NAME, "strimzi.io/kind": "Kafka", "strimzi.io/broker-role": "true" },
              },
            },
          ],
          ports: tcpPorts(KAFKA_TLS_PORT),
        },
      ],
    });
    if (env.features.ingest) {
      // Producers reach the gateway from inside the VPC: pods (VPC CNI gives them VPC addresses) and a load balancer
      // in IP target mode without client IP preservation, whose source is its own VPC address.
      this.kafkaNamespace.allow("ingest-gateway-http", {
        pods: { matchLabels: INGEST_GATEWAY_POD_LABELS },
        ingress: [{ from: [{ ipBlock: { cidr: env.network.vpcCidr } }], ports: tcpPorts(INGEST_GATEWAY_PORT) }],
      });
    }

    addOutput(this, "strimzi_chart_version", this.operator.chartVersion, "Version of the strimzi-kafka-operator Helm chart installed");
    addOutput(this, "kafka_namespace", this.operator.watchNamespace, "Namespace the Strimzi operator watches (the Kafka cluster's)");
  }
}
