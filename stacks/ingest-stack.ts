import { Construct } from "constructs";
import { IngestGateway } from "../constructs/ingest/ingest-gateway";
import { IKafkaCluster } from "../constructs/kafka/kafka-cluster";
import { IKafkaUser } from "../constructs/kafka/kafka-user";
import { clusterNameOf } from "../domain/names";
import { schedulingFor } from "../domain/node-pools";
import { InClusterLayerProps, InClusterStack } from "./in-cluster-stack";
import { addOutput } from "./kit-stack";

export interface IngestStackProps extends InClusterLayerProps {
  /** The cluster the gateway produces to. */
  readonly kafka: IKafkaCluster;
  /** The gateway's Kafka user. */
  readonly kafkaUser: IKafkaUser;
  /** Helm release of kube-prometheus-stack, once a stack installs it (and its CRDs) before this one. @default no ServiceMonitor */
  readonly prometheusRelease?: string;
}

/**
 * `<env>-ingest`: the ingest gateway, and its NLB when `ingest.loadBalancer`
 * is set (the stack then depends on `<env>-lb-controller`). On the system (on-demand) pool: it is
 * the platform's front door, and a spot reclaim of several replicas at once
 * would turn into 503s for every producer.
 */
export class IngestStack extends InClusterStack {
  readonly gateway: IngestGateway;

  constructor(scope: Construct, props: IngestStackProps) {
    super(scope, { ...props, layer: "ingest" });
    const g = props.env.ingest;
    this.gateway = new IngestGateway(this, "gateway", {
      kafka: props.kafka,
      kafkaUser: props.kafkaUser,
      image: g.image,
      replicas: g.replicas,
      resources: g.resources,
      targetCpuUtilization: g.targetCpuUtilization,
      partialBatchPolicy: g.partialBatchPolicy,
      scheduling: schedulingFor("system"),
      prometheusRelease: props.prometheusRelease,
      loadBalancer: g.loadBalancer && {
        scheme: g.loadBalancer.scheme,
        certificateArn: g.loadBalancer.certificateArn,
        // Defaults written out, so the plan shows who may connect: the VPC for an internal NLB.
        sourceRanges: g.loadBalancer.sourceRanges ?? (g.loadBalancer.scheme === "internal" ? [props.env.network.vpcCidr] : ["0.0.0.0/0"]),
        name: `${clusterNameOf(props.env.name)}-ingest`,
        tags: { component: "ingest" },
      },
    });
    addOutput(this, "ingest_gateway_url", this.gateway.url, "In-cluster URL of the ingest endpoint (POST event batches)");
    if (this.gateway.loadBalancerHostname) {
      addOutput(
        this,
        "ingest_gateway_endpoint",
        `https://${this.gateway.loadBalancerHostname}/v1/events`,
        "Ingest endpoint through the NLB (point your DNS name, the certificate's, at the NLB with a CNAME or alias)",
      );
    }
  }
}
