import { blocks, isTrue, PolicyRule } from "../rule";

/** EBS volumes, launch-template and EC2NodeClass root volumes and EBS CSI storage classes are encrypted. */
export const ebsEncrypted: PolicyRule = {
  id: "EBS_ENCRYPTED",
  severity: "error",
  title: "EBS storage must be encrypted",
  explanation: "Broker logs and node disks hold event data; unencrypted volumes and their snapshots leak it.",
  resourceTypes: [
    "aws_ebs_volume",
    "aws_launch_template",
    "kubernetes_storage_class_v1",
    "kubernetes_storage_class",
    "kubernetes_manifest",
  ],
  check(r) {
    if (r.type === "kubernetes_manifest") {
      // The volumes of the instances Karpenter launches: every block device mapping of an EC2NodeClass.
      const m = r.config.manifest;
      if (m?.kind !== "EC2NodeClass") return undefined;
      const mappings: { deviceName?: string; ebs?: { encrypted?: unknown } }[] = m.spec?.blockDeviceMappings ?? [];
      if (mappings.length === 0)
        return { detail: "EC2NodeClass has no blockDeviceMappings: the root volume's encryption is left to the AMI's defaults" };
      const plain = mappings.filter((b) => !isTrue(b.ebs?.encrypted)).map((b) => b.deviceName);
      return plain.length ? { detail: `EC2NodeClass block device ${plain.join(", ")} has encrypted unset or false` } : undefined;
    }
    if (r.type === "aws_ebs_volume") {
      return isTrue(r.config.encrypted) ? undefined : { detail: "encrypted is not true" };
    }
    if (r.type === "aws_launch_template") {
      const plain = blocks(r.config.block_device_mappings)
        .filter((m) => blocks(m.ebs).some((ebs) => !isTrue(ebs.encrypted)))
        .map((m) => m.device_name);
      return plain.length ? { detail: `block device ${plain.join(", ")} has encrypted unset or false` } : undefined;
    }
    if (r.config.storage_provisioner !== "ebs.csi.aws.com") return undefined;
    return r.config.parameters?.encrypted === "true" ? undefined : { detail: 'parameters.encrypted is not "true"' };
  },
};
