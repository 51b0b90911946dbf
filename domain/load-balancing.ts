/**
 * Facts about exposing the kit's workloads through the AWS Load Balancer
 * Controller (domain/charts-aws-load-balancer-controller.ts): the names it
 * reads, and the drain timing below.
 */

/** `spec.loadBalancerClass` the controller reconciles (its `--load-balancer-class` default, chart value `loadBalancerClass`). */
export const NLB_LOAD_BALANCER_CLASS = "service.k8s.aws/nlb";

/**
 * Label that opts pods in to the controller's target-health readiness gate.
 * The chart's pod webhook selects namespaces by it (its default
 * namespaceSelector); the kit also selects pods by it (the webhook's
 * objectSelector), so pods of other workloads in the namespace never call the
 * webhook.
 */
export const POD_READINESS_GATE_LABEL: Readonly<Record<string, string>> = { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" };

/**
 * How long a terminating gateway pod keeps serving, drains and lives, and how
 * long a Network Load Balancer keeps its connections: derived here, in one
 * place, so the pod's lifecycle and the target group's attributes cannot
 * drift apart. Pure: the gateway construct and the tests read it.
 *
 * What happens when a pod behind an NLB (IP targets) terminates:
 *
 * 1. The pod is marked terminating; its endpoint turns not-ready. The AWS
 *    Load Balancer Controller sees the change and calls DeregisterTargets
 *    ({@link LBC_DEREGISTER_LATENCY_SECONDS}).
 * 2. The target goes to `draining`, but the NLB keeps opening new connections
 *    to it for about two minutes, whatever deregistration_delay says
 *    ({@link NLB_STOP_NEW_CONNECTIONS_SECONDS}). The pod must keep serving
 *    through that window: the preStop sleep covers steps 1 and 2.
 * 3. Then SIGTERM: the gateway stops accepting connections, answers what is in
 *    flight (up to DRAIN_TIMEOUT_MS), closes Kafka and exits.
 * 4. The NLB keeps existing connections until deregistration_delay ends (then,
 *    with connection termination on, it resets what is left). The delay must
 *    therefore outlast the pod: ending it earlier would cut requests the pod
 *    is still answering.
 */

/**
 * Seconds an NLB keeps opening new connections to a target after
 * DeregisterTargets. AWS documents none; it is observed at about 120 s
 * regardless of deregistration_delay (even 0): kubernetes-sigs/
 * aws-load-balancer-controller#2366 (2022, raw TCP measurements, "at least 2
 * minutes"), #3270 (2023, delay 5 s, "about 2 minutes"),
 * aws/containers-roadmap#470 (2023, "the effective minimum delay seems to be
 * 120 seconds").
 */
export const NLB_STOP_NEW_CONNECTIONS_SECONDS = 120;

/**
 * Seconds from the pod's deletion to the controller's DeregisterTargets call:
 * the endpoint update, the controller's reconcile and the API call (more when
 * the ELB API throttles it).
 */
export const LBC_DEREGISTER_LATENCY_SECONDS = 10;

/** Seconds kube-proxy and in-cluster clients need to stop sending to a terminating pod's Service endpoint. */
export const ENDPOINT_PROPAGATION_SECONDS = 5;

/** Seconds after the in-flight wait for closing the Kafka producer and exiting. */
export const EXIT_MARGIN_SECONDS = 5;

/** The timing of one terminating pod. */
export interface DrainTiming {
  /** preStop sleep: the pod keeps serving (and stays /readyz-ready) while traffic stops arriving. */
  readonly preStopSleepSeconds: number;
  /** After SIGTERM: how long the gateway waits for in-flight requests (its DRAIN_TIMEOUT_MS). */
  readonly drainTimeoutSeconds: number;
  /** The pod's terminationGracePeriodSeconds: preStop + drain + exit margin. */
  readonly terminationGracePeriodSeconds: number;
  /**
   * The target group's deregistration_delay.timeout_seconds, when behind an
   * NLB: the pod's whole grace period, so the NLB never drops a connection the
   * pod may still answer. Undefined without a load balancer.
   */
  readonly deregistrationDelaySeconds?: number;
}

/**
 * The timing for a pod that needs `drainTimeoutSeconds` to answer its
 * in-flight requests after SIGTERM, behind an NLB or only a ClusterIP Service.
 */
export function drainTiming(opts: { readonly drainTimeoutSeconds: number; readonly behindNlb: boolean }): DrainTiming {
  const preStopSleepSeconds = opts.behindNlb
    ? LBC_DEREGISTER_LATENCY_SECONDS + NLB_STOP_NEW_CONNECTIONS_SECONDS
    : ENDPOINT_PROPAGATION_SECONDS;
  const terminationGracePeriodSeconds = preStopSleepSeconds + opts.drainTimeoutSeconds + EXIT_MARGIN_SECONDS;
  return {
    preStopSleepSeconds,
    drainTimeoutSeconds: opts.drainTimeoutSeconds,
    terminationGracePeriodSeconds,
    deregistrationDelaySeconds: opts.behindNlb ? terminationGracePeriodSeconds : undefined,
  };
}

/** ELB's range for deregistration_delay.timeout_seconds. */
export const MAX_DEREGISTRATION_DELAY_SECONDS = 3600;

/** The parts of an ACM certificate ARN. */
export interface AcmCertificateArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly certificateId: string;
}

const ACM_CERTIFICATE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]):acm:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):certificate\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** `arn:<partition>:acm:<region>:<12-digit account>:certificate/<uuid>`, or undefined when it is not one. */
export function parseAcmCertificateArn(arn: string): AcmCertificateArn | undefined {
  const m = typeof arn === "string" ? ACM_CERTIFICATE_ARN.exec(arn) : null;
  return m ? { partition: m[1], region: m[2], account: m[3], certificateId: m[4] } : undefined;
}

/** The Security Group inbound-rule quota per group (default, adjustable): the NLB's group gets one rule per source range. */
export const SECURITY_GROUP_INBOUND_RULES = 60;
