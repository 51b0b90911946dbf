import { blocks, PolicyRule } from "../rule";

/** Instances, launch templates and Karpenter's EC2NodeClasses require IMDSv2 session tokens. */
export const imdsv2Required: PolicyRule = {
  id: "IMDSV2_REQUIRED",
  severity: "error",
  title: "Instance metadata must require IMDSv2 tokens",
  explanation: "IMDSv1 answers any request that reaches it, so an SSRF bug in any pod can steal the node's IAM credentials.",
  resourceTypes: ["aws_launch_template", "aws_instance", "kubernetes_manifest"],
  check(r) {
    if (r.type === "kubernetes_manifest") {
      // Karpenter launches instances from an EC2NodeClass; its CRD defaults httpTokens to "required".
      const m = r.config.manifest;
      if (m?.kind !== "EC2NodeClass") return undefined;
      const tokens = m.spec?.metadataOptions?.httpTokens;
      return tokens === undefined || tokens === "required"
        ? undefined
        : { detail: `EC2NodeClass spec.metadataOptions.httpTokens is ${JSON.stringify(tokens)}` };
    }
    const options = blocks(r.config.metadata_options);
    const required = options.some((o) => o.http_tokens === "required");
    return required ? undefined : { detail: 'metadata_options.http_tokens is not "required"' };
  },
};
