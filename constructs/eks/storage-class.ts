import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { Construct } from "constructs";

export interface EncryptedStorageClassProps {
  /**
   * Name of the StorageClass (a Kubernetes DNS name) that claims refer to.
   * @default "gp3-encrypted"
   */
  readonly name?: string;
  /** Make it the cluster default class. @default true */
  readonly isDefault?: boolean;
  /**
   * Retain keeps a broker's volume when its claim is deleted by mistake.
   * @default "Retain"
   */
  readonly reclaimPolicy?: "Retain" | "Delete";
  /** Filesystem; XFS is what Kafka's docs recommend for log directories. @default "xfs" */
  readonly fsType?: "xfs" | "ext4";
}

/**
 * Encrypted gp3 through the EBS CSI driver. WaitForFirstConsumer makes the
 * volume land in the zone of the pod that claims it (brokers spread by zone);
 * volume expansion lets broker disks grow without a migration.
 */
export class EncryptedStorageClass extends Construct {
  readonly storageClassName: string;

  constructor(scope: Construct, id: string, props: EncryptedStorageClassProps = {}) {
    super(scope, id);
    const name = props.name ?? "gp3-encrypted";
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) {
      throw new Error(`${this.node.path}: name ${JSON.stringify(name)} must be a Kubernetes DNS name`);
    }
    const sc = new StorageClassV1(this, "class", {
      metadata: {
        name,
        annotations: { "storageclass.kubernetes.io/is-default-class": String(props.isDefault ?? true) },
      },
      storageProvisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": props.fsType ?? "xfs" },
      reclaimPolicy: props.reclaimPolicy ?? "Retain",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
    });
    this.storageClassName = sc.metadata.name;
  }
}
