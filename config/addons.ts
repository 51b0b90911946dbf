import { EksAddonConfig } from "./types";

/**
 * vpc-cni with its network policy agent enforcing NetworkPolicies (the add-on
 * schema takes the string "true"). The kit's namespaces are default-deny, so
 * validation requires it while features.kafka is on (docs/network-security.md).
 */
export const VPC_CNI_NETWORK_POLICY: EksAddonConfig = { configurationValues: { enableNetworkPolicy: "true" } };
