import { PolicyRule } from "../rule";

/** SNS topics are encrypted with KMS. */
export const snsEncrypted: PolicyRule = {
  id: "SNS_ENCRYPTED",
  severity: "error",
  title: "SNS topics must be encrypted with KMS",
  explanation: "Alert and budget messages name resources and amounts; SNS stores them unencrypted unless a key is set.",
  resourceTypes: ["aws_sns_topic"],
  check(r) {
    const key = r.config.kms_master_key_id;
    return typeof key === "string" && key.length > 0 ? undefined : { detail: "kms_master_key_id is not set" };
  },
};
