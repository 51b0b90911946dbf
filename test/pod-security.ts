/**
 * The checks of the Pod Security Standards' `restricted` profile (which
 * includes `baseline`) that a pod spec can fail, as Pod Security Admission
 * applies them (kubernetes.io/docs/concepts/security/pod-security-standards,
 * v1.35). For the tests: a namespace labelled `restricted` refuses a pod that
 * fails any of them.
 */
import { Json } from "./helpers";

const RESTRICTED_VOLUME_TYPES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

/** Every way `pod` (a PodSpec) breaks the restricted standard; empty when PSA would admit it. */
export function restrictedViolations(pod: Json): string[] {
  const v: string[] = [];
  const psc = pod.securityContext ?? {};
  for (const host of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[host]) v.push(`${host} is true`);
  for (const vol of pod.volumes ?? []) {
    const type = Object.keys(vol).find((k) => k !== "name");
    if (!type || !RESTRICTED_VOLUME_TYPES.has(type)) v.push(`volume ${vol.name} is of type ${type}`);
  }
  if (psc.runAsUser === 0) v.push("pod runAsUser is 0");
  const podSeccomp = psc.seccompProfile?.type;
  if (podSeccomp === "Unconfined") v.push("pod seccompProfile is Unconfined");
  const containers: Json[] = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if (sc.privileged) v.push(`${at}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) v.push(`${at}: allowPrivilegeEscalation is not false`);
    if (!(sc.runAsNonRoot === true || (sc.runAsNonRoot === undefined && psc.runAsNonRoot === true)))
      v.push(`${at}: runAsNonRoot is not true`);
    if (sc.runAsUser === 0) v.push(`${at}: runAsUser is 0`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") v.push(`${at}: seccompProfile is ${seccomp ?? "unset"}`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) v.push(`${at}: capabilities do not drop ALL`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== "NET_BIND_SERVICE") v.push(`${at}: adds capability ${cap}`);
    for (const p of c.ports ?? []) if (p.hostPort) v.push(`${at}: hostPort ${p.hostPort}`);
    if (sc.procMount && sc.procMount !== "Default") v.push(`${at}: procMount ${sc.procMount}`);
  }
  return v;
}
