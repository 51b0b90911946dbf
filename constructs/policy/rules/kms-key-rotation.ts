import { isTrue, PolicyRule } from "../rule";

/** Symmetric KMS keys rotate their key material. */
export const kmsKeyRotation: PolicyRule = {
  id: "KMS_KEY_ROTATION",
  severity: "error",
  title: "KMS keys must have automatic rotation enabled",
  explanation: "Rotation limits how much data any one key version protects; AWS can only rotate symmetric keys, so others are skipped.",
  resourceTypes: ["aws_kms_key"],
  check(r) {
    const spec = r.config.customer_master_key_spec ?? "SYMMETRIC_DEFAULT";
    if (spec !== "SYMMETRIC_DEFAULT") return undefined;
    return isTrue(r.config.enable_key_rotation) ? undefined : { detail: "enable_key_rotation is not true" };
  },
};
