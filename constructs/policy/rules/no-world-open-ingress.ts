import { isWorldOpen } from "../../../domain/cidr";
import { blocks, PolicyRule } from "../rule";

function openCidrs(values: unknown): string[] {
  return (Array.isArray(values) ? values : [values]).filter((v): v is string => typeof v === "string" && isWorldOpen(v));
}

/** No security group admits traffic from the whole internet. */
export const noWorldOpenIngress: PolicyRule = {
  id: "NO_WORLD_OPEN_INGRESS",
  severity: "error",
  title: "Security groups must not allow ingress from 0.0.0.0/0 or ::/0",
  explanation: "Nodes and brokers sit in private subnets; an open ingress rule turns one misrouted load balancer into an exposed cluster.",
  resourceTypes: ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"],
  check(r) {
    let open: string[] = [];
    if (r.type === "aws_security_group") {
      open = blocks(r.config.ingress).flatMap((i) => [...openCidrs(i.cidr_blocks), ...openCidrs(i.ipv6_cidr_blocks)]);
    } else if (r.type === "aws_security_group_rule") {
      if (r.config.type !== "ingress") return undefined;
      open = [...openCidrs(r.config.cidr_blocks), ...openCidrs(r.config.ipv6_cidr_blocks)];
    } else {
      open = [...openCidrs(r.config.cidr_ipv4), ...openCidrs(r.config.cidr_ipv6)];
    }
    return open.length ? { detail: `ingress allowed from ${[...new Set(open)].join(", ")}` } : undefined;
  },
};
