import { blocks, PolicyRule } from "../rule";

/** Instances and launch templates require IMDSv2 session tokens. */
export const imdsv2Required: PolicyRule = {
  id: "IMDSV2_REQUIRED",
  severity: "error",
  title: "Instance metadata must require IMDSv2 tokens",
  explanation: "IMDSv1 answers any request that reaches it, so an SSRF bug in any pod can steal the node's IAM credentials.",
  resourceTypes: ["aws_launch_template", "aws_instance"],
  check(r) {
    const options = blocks(r.config.metadata_options);
    const required = options.some((o) => o.http_tokens === "required");
    return required ? undefined : { detail: 'metadata_options.http_tokens is not "required"' };
  },
};
