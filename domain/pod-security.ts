/**
 * Pod Security Standards as namespace labels (Pod Security Admission, built
 * into the API server since Kubernetes 1.25). Pure, so config validation,
 * constructs and tests share the label keys and the version rule.
 */

/** The three standards, from open to strict. */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ["privileged", "baseline", "restricted"];

/** A namespace's standard and the Kubernetes minor version whose definition of it applies. */
export interface PodSecurityPolicy {
  /** Pods that break this standard are refused (enforce) and reported (warn, audit). */
  readonly level: PodSecurityLevel;
  /** `v<major>.<minor>` (e.g. `v1.35`): the standard as that release defined it. */
  readonly version: string;
}

const LABEL_PREFIX = "pod-security.kubernetes.io";
const MODES = ["enforce", "warn", "audit"] as const;

/**
 * The version label for a cluster running Kubernetes `minor` (`"1.35"` -> `"v1.35"`).
 * Pinned rather than `latest`, so a control-plane upgrade changes what is
 * enforced only through a reviewed config change (the label moves with
 * `eks.kubernetesVersion`, in the same plan).
 */
export function podSecurityVersion(kubernetesMinor: string): string {
  if (!/^1\.\d{1,2}$/.test(kubernetesMinor))
    throw new Error(`podSecurityVersion: ${JSON.stringify(kubernetesMinor)} is not a Kubernetes minor version`);
  return `v${kubernetesMinor}`;
}

/**
 * The namespace labels that enforce `policy`, warn clients (kubectl, Helm) about
 * violations, and annotate the audit log, all at the same level and version.
 */
export function podSecurityLabels(policy: PodSecurityPolicy): Readonly<Record<string, string>> {
  const labels: Record<string, string> = {};
  for (const mode of MODES) {
    labels[`${LABEL_PREFIX}/${mode}`] = policy.level;
    labels[`${LABEL_PREFIX}/${mode}-version`] = policy.version;
  }
  return labels;
}

/** Problems with a policy (empty when valid): a known level and a `v1.<minor>` version. */
export function podSecurityProblems(policy: PodSecurityPolicy): string[] {
  const problems: string[] = [];
  if (!POD_SECURITY_LEVELS.includes(policy.level))
    problems.push(`level ${JSON.stringify(policy.level)} is not one of ${POD_SECURITY_LEVELS.join(", ")}`);
  if (!/^v1\.\d{1,2}$/.test(policy.version))
    problems.push(`version ${JSON.stringify(policy.version)} is not a pinned Kubernetes minor version such as "v1.35"`);
  return problems;
}
