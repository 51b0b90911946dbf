import { isTrue, PolicyRule } from "../rule";

const FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

/** Every bucket has a public access block with all four flags on. */
export const s3PublicAccessBlocked: PolicyRule = {
  id: "S3_PUBLIC_ACCESS_BLOCKED",
  severity: "error",
  title: "S3 buckets must block all public access",
  explanation: "A single permissive ACL or policy would publish platform data; the block overrides both.",
  resourceTypes: ["aws_s3_bucket"],
  check(r) {
    const blocksFound = r.referencedBy("aws_s3_bucket_public_access_block");
    if (blocksFound.length === 0) return { detail: "no aws_s3_bucket_public_access_block references this bucket" };
    const missing = FLAGS.filter((f) => !blocksFound.some((b) => isTrue(b.config[f])));
    return missing.length ? { detail: `public access block leaves ${missing.join(", ")} off` } : undefined;
  },
};
