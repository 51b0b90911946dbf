import { blocks, PolicyRule } from "../rule";

/** EKS clusters envelope-encrypt Kubernetes secrets with a KMS key. */
export const eksSecretsEncrypted: PolicyRule = {
  id: "EKS_SECRETS_ENCRYPTED",
  severity: "error",
  title: "EKS secrets must be envelope-encrypted with KMS",
  explanation:
    "Kafka user credentials and TLS keys live in Kubernetes secrets; without KMS they sit in etcd with only the default encryption.",
  resourceTypes: ["aws_eks_cluster"],
  check(r) {
    const ok = blocks(r.config.encryption_config).some(
      (e) => Array.isArray(e.resources) && e.resources.includes("secrets") && blocks(e.provider).some((p) => typeof p.key_arn === "string"),
    );
    return ok ? undefined : { detail: 'encryption_config with resources ["secrets"] and a provider key_arn is missing' };
  },
};
