import { Construct } from "constructs";
import { EncryptedStorageClass } from "../constructs/eks/storage-class";
import { InClusterLayerProps, InClusterStack } from "./in-cluster-stack";

/**
 * `<env>-cluster-base`: in-cluster basics (the encrypted gp3 StorageClass).
 * A separate stack because its Kubernetes provider is configured from the
 * cluster's outputs, which must exist before this stack plans.
 */
export class ClusterBaseStack extends InClusterStack {
  readonly storageClass: EncryptedStorageClass;

  constructor(scope: Construct, props: InClusterLayerProps) {
    super(scope, { ...props, layer: "cluster-base" });
    this.storageClass = new EncryptedStorageClass(this, "gp3");
  }
}
