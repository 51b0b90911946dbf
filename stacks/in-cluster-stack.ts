import { Construct } from "constructs";
import { ClusterAccess } from "../constructs/eks/cluster-access";
import { IEksCluster } from "../constructs/eks/eks-cluster";
import { KitStack, KitStackProps } from "./kit-stack";

export interface InClusterStackProps extends KitStackProps {
  /** The cluster this stack deploys into; its Kubernetes and Helm providers are configured from it. */
  readonly cluster: IEksCluster;
}

/**
 * Base of every stack that deploys into the cluster: it owns the Kubernetes
 * and Helm providers (exec auth through `aws eks get-token`). They read the
 * cluster's outputs, so these stacks are always separate from `<env>-eks`,
 * and plan only once the cluster exists.
 */
export class InClusterStack extends KitStack {
  readonly cluster: IEksCluster;
  readonly access: ClusterAccess;

  constructor(scope: Construct, props: InClusterStackProps) {
    super(scope, props);
    this.cluster = props.cluster;
    this.access = new ClusterAccess(this, "access", props.cluster);
  }
}

/** Props of a layer stack: the layer name is the stack's own. */
export type InClusterLayerProps = Omit<InClusterStackProps, "layer">;
