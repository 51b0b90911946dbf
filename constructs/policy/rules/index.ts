import { PolicyRule } from "../rule";
import { costTags } from "./cost-tags";
import { ebsEncrypted } from "./ebs-encrypted";
import { eksEndpointRestricted } from "./eks-endpoint-restricted";
import { eksSecretsEncrypted } from "./eks-secrets-encrypted";
import { imdsv2Required } from "./imdsv2-required";
import { kmsKeyRotation } from "./kms-key-rotation";
import { noWorldOpenIngress } from "./no-world-open-ingress";
import { s3Encrypted } from "./s3-encrypted";
import { s3PublicAccessBlocked } from "./s3-public-access-blocked";
import { snsEncrypted } from "./sns-encrypted";

export {
  costTags,
  ebsEncrypted,
  eksEndpointRestricted,
  eksSecretsEncrypted,
  imdsv2Required,
  kmsKeyRotation,
  noWorldOpenIngress,
  s3Encrypted,
  s3PublicAccessBlocked,
  snsEncrypted,
};

/** The kit's platform pack: every rule, in the order findings are reported. */
export const platformRules: readonly PolicyRule[] = [
  ebsEncrypted,
  s3Encrypted,
  snsEncrypted,
  eksSecretsEncrypted,
  s3PublicAccessBlocked,
  imdsv2Required,
  noWorldOpenIngress,
  eksEndpointRestricted,
  kmsKeyRotation,
  costTags,
];
