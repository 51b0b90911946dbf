import { blocks, PolicyRule } from "../rule";

/** Every bucket has a server-side encryption configuration. */
export const s3Encrypted: PolicyRule = {
  id: "S3_ENCRYPTED",
  severity: "error",
  title: "S3 buckets must declare server-side encryption",
  explanation: "Checkpoints and logs hold event data; declaring SSE (KMS preferred) makes the choice explicit and auditable.",
  resourceTypes: ["aws_s3_bucket"],
  check(r) {
    const configs = r.referencedBy("aws_s3_bucket_server_side_encryption_configuration");
    const declared = configs.some((c) =>
      blocks(c.config.rule).some((rule) =>
        blocks(rule.apply_server_side_encryption_by_default).some((d) => typeof d.sse_algorithm === "string"),
      ),
    );
    return declared
      ? undefined
      : { detail: "no aws_s3_bucket_server_side_encryption_configuration with an sse_algorithm references this bucket" };
  },
};
