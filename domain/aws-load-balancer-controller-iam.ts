/**
 * The IAM permissions of the AWS Load Balancer Controller v3.5.0 (the app
 * version of chart 3.5.0, domain/charts-aws-load-balancer-controller.ts),
 * written out as typed statements from the reference policy
 * kubernetes-sigs/aws-load-balancer-controller tag v3.5.0,
 * docs/install/iam_policy.json: the same actions, resources and conditions,
 * statement by statement, with two changes:
 *
 * - the partition is a parameter (the reference hard-codes `arn:aws:`), so
 *   the same statements work in aws-cn and aws-us-gov;
 * - the unconditioned `ec2:AuthorizeSecurityGroupIngress` /
 *   `ec2:RevokeSecurityGroupIngress` on every security group is scoped to the
 *   cluster's VPC (`ArnEquals ec2:Vpc`), as the controller's installation
 *   guide at v3.5.0 recommends (docs/deploy/installation.md, "Option A").
 *
 * Bumping the controller means reading iam_policy.json at the new tag and
 * updating these statements; test/lb-controller.test.ts pins their shape.
 */

/** One IAM policy condition, in the shape of Terraform's aws_iam_policy_document `condition` block. */
export interface IamCondition {
  /** Condition operator, e.g. `StringEquals`, `Null`, `ArnEquals`. */
  readonly test: string;
  /** Condition key, e.g. `aws:RequestTag/elbv2.k8s.aws/cluster`. */
  readonly variable: string;
  readonly values: readonly string[];
}

/** One Allow statement, in the shape of Terraform's aws_iam_policy_document `statement` block. */
export interface IamStatement {
  /** Statement id (letters and digits). */
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** Every condition must hold (IAM ANDs them). @default none */
  readonly conditions?: readonly IamCondition[];
}

/** Where the statements apply. */
export interface LbcPolicyScope {
  /** AWS partition: `aws`, `aws-cn`, `aws-us-gov`. */
  readonly partition: string;
  /** ARN of the cluster's VPC (`arn:<partition>:ec2:<region>:<account>:vpc/<id>`). */
  readonly vpcArn: string;
}

/** The tag the controller puts on everything it creates; most write permissions require it. */
const CLUSTER_TAG = "elbv2.k8s.aws/cluster";
const requestTagged: IamCondition = { test: "Null", variable: `aws:RequestTag/${CLUSTER_TAG}`, values: ["false"] };
const resourceTagged: IamCondition = { test: "Null", variable: `aws:ResourceTag/${CLUSTER_TAG}`, values: ["false"] };
const requestUntagged: IamCondition = { test: "Null", variable: `aws:RequestTag/${CLUSTER_TAG}`, values: ["true"] };

/** Reference version the statements were read from. */
export const LBC_IAM_POLICY_SOURCE =
  "kubernetes-sigs/aws-load-balancer-controller tag v3.5.0: docs/install/iam_policy.json (and docs/deploy/installation.md for the VPC scope-down)";

/** The controller's permissions, statement by statement as in the reference policy. */
export function lbcIamStatements(scope: LbcPolicyScope): IamStatement[] {
  const p = scope.partition;
  const elb = (resource: string) => `arn:${p}:elasticloadbalancing:*:*:${resource}`;
  const securityGroups = `arn:${p}:ec2:*:*:security-group/*`;
  const taggableLbResources = [elb("targetgroup/*/*"), elb("loadbalancer/net/*/*"), elb("loadbalancer/app/*/*")];
  return [
    {
      sid: "CreateElbServiceLinkedRole",
      actions: ["iam:CreateServiceLinkedRole"],
      resources: ["*"],
      conditions: [{ test: "StringEquals", variable: "iam:AWSServiceName", values: ["elasticloadbalancing.amazonaws.com"] }],
    },
    {
      sid: "Describe",
      actions: [
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAddresses",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcPeeringConnections",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeTags",
        "ec2:GetCoipPoolUsage",
        "ec2:DescribeCoipPools",
        "ec2:GetSecurityGroupsForVpc",
        "ec2:DescribeIpamPools",
        "ec2:DescribeRouteTables",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeListenerCertificates",
        "elasticloadbalancing:DescribeSSLPolicies",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTrustStores",
        "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:DescribeCapacityReservation",
      ],
      resources: ["*"],
    },
    {
      sid: "CertificatesWafShield",
      actions: [
        "cognito-idp:DescribeUserPoolClient",
        "acm:ListCertificates",
        "acm:DescribeCertificate",
        "iam:ListServerCertificates",
        "iam:GetServerCertificate",
        "waf-regional:GetWebACL",
        "waf-regional:GetWebACLForResource",
        "waf-regional:AssociateWebACL",
        "waf-regional:DisassociateWebACL",
        "wafv2:GetWebACL",
        "wafv2:GetWebACLForResource",
        "wafv2:AssociateWebACL",
        "wafv2:DisassociateWebACL",
        "shield:GetSubscriptionState",
        "shield:DescribeProtection",
        "shield:CreateProtection",
        "shield:DeleteProtection",
      ],
      resources: ["*"],
    },
    {
      // The reference grants these on every security group; the installation guide recommends the VPC scope-down.
      sid: "SecurityGroupRulesInClusterVpc",
      actions: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
      resources: ["*"],
      conditions: [{ test: "ArnEquals", variable: "ec2:Vpc", values: [scope.vpcArn] }],
    },
    { sid: "CreateSecurityGroup", actions: ["ec2:CreateSecurityGroup"], resources: ["*"] },
    {
      sid: "TagSecurityGroupOnCreate",
      actions: ["ec2:CreateTags"],
      resources: [securityGroups],
      conditions: [{ test: "StringEquals", variable: "ec2:CreateAction", values: ["CreateSecurityGroup"] }, requestTagged],
    },
    {
      sid: "TagOwnSecurityGroups",
      actions: ["ec2:CreateTags", "ec2:DeleteTags"],
      resources: [securityGroups],
      conditions: [requestUntagged, resourceTagged],
    },
    {
      sid: "ManageOwnSecurityGroups",
      actions: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
      resources: ["*"],
      conditions: [resourceTagged],
    },
    {
      sid: "CreateTaggedLoadBalancers",
      actions: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
      resources: ["*"],
      conditions: [requestTagged],
    },
    {
      sid: "ListenersAndRules",
      actions: [
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:DeleteRule",
      ],
      resources: ["*"],
    },
    {
      sid: "TagOwnLoadBalancers",
      actions: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      resources: taggableLbResources,
      conditions: [requestUntagged, resourceTagged],
    },
    {
      sid: "TagListenersAndRules",
      actions: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      resources: [elb("listener/net/*/*/*"), elb("listener/app/*/*/*"), elb("listener-rule/net/*/*/*"), elb("listener-rule/app/*/*/*")],
    },
    {
      sid: "ModifyOwnLoadBalancers",
      actions: [
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetIpAddressType",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:ModifyCapacityReservation",
        "elasticloadbalancing:ModifyIpPools",
      ],
      resources: ["*"],
      conditions: [resourceTagged],
    },
    {
      sid: "TagLoadBalancersOnCreate",
      actions: ["elasticloadbalancing:AddTags"],
      resources: taggableLbResources,
      conditions: [
        { test: "StringEquals", variable: "elasticloadbalancing:CreateAction", values: ["CreateTargetGroup", "CreateLoadBalancer"] },
        requestTagged,
      ],
    },
    {
      sid: "RegisterTargets",
      actions: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
      resources: [elb("targetgroup/*/*")],
    },
    {
      sid: "ModifyListenersAndRules",
      actions: [
        "elasticloadbalancing:SetWebAcl",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:AddListenerCertificates",
        "elasticloadbalancing:RemoveListenerCertificates",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:SetRulePriorities",
      ],
      resources: ["*"],
    },
  ];
}

/** An IAM policy document (what IAM stores), for size checks and tests. */
export function lbcPolicyDocument(scope: LbcPolicyScope): object {
  return {
    Version: "2012-10-17",
    Statement: lbcIamStatements(scope).map((s) => {
      const condition: Record<string, Record<string, string | string[]>> = {};
      for (const c of s.conditions ?? []) {
        (condition[c.test] ??= {})[c.variable] = c.values.length === 1 ? c.values[0] : [...c.values];
      }
      return {
        Sid: s.sid,
        Effect: "Allow",
        Action: s.actions.length === 1 ? s.actions[0] : [...s.actions],
        Resource: s.resources.length === 1 ? s.resources[0] : [...s.resources],
        ...(s.conditions?.length ? { Condition: condition } : {}),
      };
    }),
  };
}

/** IAM's limit on an inline role policy (characters, whitespace excluded). */
export const INLINE_ROLE_POLICY_MAX_CHARS = 10240;
