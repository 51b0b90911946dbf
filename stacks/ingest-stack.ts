import { Construct } from "constructs";
import { ClusterAccess } from "../constructs/eks/cluster-access";
import { IEksCluster } from "../constructs/eks/eks-cluster";
import { schedulingFor } from "../domain/node-pools";
import { IngestGateway } from "../constructs/ingest/ingest-gateway";
import { IKafkaCluster } from "../constructs/kafka/kafka-cluster";
import { KitStack } from "./kit-stack";
import { LayerStackProps } from "./network-stack";

export interface IngestStackProps extends LayerStackProps {
  readonly cluster: IEksCluster;
  readonly kafka: IKafkaCluster;
  readonly kafkaUser: { readonly userName: string; readonly secretName: string };
  /** Helm release of kube-prometheus-stack, when observability is on. */
  readonly prometheusRelease?: string;
}

/**
 * `<env>-ingest`: the ingest gateway. On the system (on-demand) pool: it is
 * the platform's front door, and a spot reclaim of several replicas at once
 * would turn into 503s for every producer.
 */
export class IngestStack extends KitStack {
  readonly gateway: IngestGateway;

  constructor(scope: Construct, props: IngestStackProps) {
    super(scope, { ...props, layer: "ingest" });
    const g = props.env.ingest;
    new ClusterAccess(this, "access", props.cluster);
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
    });
  }
}
