import { Construct } from "constructs";
import { ClusterAccess } from "../constructs/eks/cluster-access";
import { IEksCluster } from "../constructs/eks/eks-cluster";
import { EncryptedStorageClass } from "../constructs/eks/storage-class";
import { KitStack } from "./kit-stack";
import { LayerStackProps } from "./network-stack";

export interface ClusterBaseStackProps extends LayerStackProps {
  readonly cluster: IEksCluster;
}

/**
 * `<env>-cluster-base`: in-cluster basics (the encrypted gp3 StorageClass).
 * A separate stack because its Kubernetes provider is configured from the
 * cluster's outputs, which must exist before this stack plans.
 */
export class ClusterBaseStack extends KitStack {
  readonly access: ClusterAccess;
  readonly storageClass: EncryptedStorageClass;

  constructor(scope: Construct, props: ClusterBaseStackProps) {
    super(scope, { ...props, layer: "cluster-base" });
    this.access = new ClusterAccess(this, "access", props.cluster);
    this.storageClass = new EncryptedStorageClass(this, "gp3");
  }
}
