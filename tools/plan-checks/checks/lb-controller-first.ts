import { AWS_LOAD_BALANCER_CONTROLLER } from "../../../domain/charts-aws-load-balancer-controller";
import { NLB_LOAD_BALANCER_CLASS, POD_READINESS_GATE_LABEL } from "../../../domain/load-balancing";
import { dependsOn, Finding, PlanCheck, resourcesOf, SynthOutput, TerraformJson } from "../synth-output";

/** Stacks whose helm_release installs the AWS Load Balancer Controller and waits for it to be ready. */
export function lbControllerInstallers(out: SynthOutput): string[] {
  const stacks: string[] = [];
  for (const stack of out.stacks.values()) {
    const waited = resourcesOf(stack, "helm_release").some(
      // The helm provider's `wait` defaults to true.
      ({ config }) => config.chart === AWS_LOAD_BALANCER_CONTROLLER.chart && config.wait !== false,
    );
    if (waited) stacks.push(stack.name);
  }
  return stacks;
}

const TYPE_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-type";
const [[GATE_KEY, GATE_VALUE]] = Object.entries(POD_READINESS_GATE_LABEL);

/** What in a manifest needs the controller: its Service class, or pods that opt in to its readiness-gate webhook. */
function needsController(o: TerraformJson): string | undefined {
  if (o.kind === "Service" && o.spec?.type === "LoadBalancer") {
    if (o.spec?.loadBalancerClass === NLB_LOAD_BALANCER_CLASS) return `a Service of class ${NLB_LOAD_BALANCER_CLASS}`;
    const type = o.metadata?.annotations?.[TYPE_ANNOTATION];
    if (type === "external" || type === "nlb-ip") return `a Service with ${TYPE_ANNOTATION}: ${type}`;
  }
  const podLabels = o.spec?.template?.metadata?.labels ?? (o.kind === "Pod" ? o.metadata?.labels : undefined);
  if (podLabels?.[GATE_KEY] === GATE_VALUE)
    return `pods labelled ${GATE_KEY}=${GATE_VALUE} (the readiness-gate webhook, failurePolicy Fail)`;
  return undefined;
}

/**
 * A Service for the AWS Load Balancer Controller is reconciled by nothing
 * until the controller runs (the kit waits for its hostname, so the apply
 * times out), and pods that opt in to its readiness gate are refused while
 * the webhook has no ready endpoint. Such objects must live in a stack that
 * depends on the stack whose helm_release installs the controller with
 * `wait` (Helm returns only once the controller is ready).
 */
export const lbControllerFirst: PlanCheck = {
  id: "LB_CONTROLLER_FIRST",
  title: "load-balanced Services and readiness-gated pods deploy after a ready AWS Load Balancer Controller",
  why: "without a ready controller the NLB is never created and gated pods are refused by its webhook",
  run(out) {
    const installers = lbControllerInstallers(out);
    const findings: Finding[] = [];
    for (const stack of out.stacks.values()) {
      for (const { address, config } of resourcesOf(stack, "kubernetes_manifest")) {
        const o = config.manifest as TerraformJson;
        const what = needsController(o);
        // Another stack, as for CRDs: in the installing stack itself nothing orders the release first.
        if (!what || installers.some((s) => dependsOn(out, stack.name, s))) continue;
        const message = installers.length
          ? `${o.kind}/${o.metadata?.name} is ${what}; the controller comes from ${installers.join(", ")}, which this stack does not depend on`
          : `${o.kind}/${o.metadata?.name} is ${what}; no stack installs the AWS Load Balancer Controller (with wait)`;
        findings.push({ check: this.id, stack: stack.name, address, message });
      }
    }
    return findings;
  },
};
