import { isWorldOpen } from "../../../domain/cidr";
import { blocks, isTrue, PolicyRule } from "../rule";

/** The EKS API endpoint is private or allow-listed; world-open is an error in production. */
export const eksEndpointRestricted: PolicyRule = {
  id: "EKS_ENDPOINT_RESTRICTED",
  severity: "error",
  title: "The EKS API endpoint must be private or limited to known CIDRs",
  explanation: "A world-open API endpoint exposes the cluster to credential stuffing and to every future Kubernetes API CVE.",
  resourceTypes: ["aws_eks_cluster"],
  check(r, context) {
    const vpc = blocks(r.config.vpc_config)[0] ?? {};
    if (!isTrue(vpc.endpoint_public_access)) return undefined;
    const cidrs: unknown[] = Array.isArray(vpc.public_access_cidrs) ? vpc.public_access_cidrs : [];
    // EKS reads an absent or empty list as 0.0.0.0/0.
    const open = cidrs.length === 0 || cidrs.some((c) => typeof c === "string" && isWorldOpen(c));
    if (!open) return undefined;
    return {
      detail: `public endpoint open to ${cidrs.length ? cidrs.join(", ") : "0.0.0.0/0 (no public_access_cidrs)"}`,
      severity: context.production ? "error" : "warning",
    };
  },
};
