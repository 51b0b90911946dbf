/**
 * Kubernetes resource quantities in the canonical form the API server writes
 * back. A manifest that says `cpu: "0.5"` is stored as `"500m"`, and the
 * Terraform kubernetes provider then reports "inconsistent result after
 * apply" (hashicorp/terraform-provider-kubernetes#2508). So the kit only ever
 * emits the canonical spelling.
 */

/** CPU in cores (0.5 = half a core) as a canonical quantity: "500m", "1", "6", "1500m". */
export function cpuQuantity(cores: number): string {
  const millis = Math.round(cores * 1000);
  if (!(millis >= 1) || Math.abs(millis - cores * 1000) > 1e-6) {
    throw new Error(`cpu: got ${cores}, expected a positive number of cores in steps of 0.001`);
  }
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

const BINARY_SUFFIXES = ["Ki", "Mi", "Gi", "Ti", "Pi"] as const;

/** Memory in MiB as a canonical quantity: the largest binary suffix that keeps it whole ("512Mi", "48Gi"). */
export function memoryQuantity(mebibytes: number): string {
  if (!(Number.isInteger(mebibytes) && mebibytes >= 1)) throw new Error(`memory: got ${mebibytes}, expected a whole number of MiB >= 1`);
  let value = mebibytes;
  let suffix = 1; // index into BINARY_SUFFIXES: Mi
  while (value % 1024 === 0 && suffix < BINARY_SUFFIXES.length - 1) {
    value /= 1024;
    suffix++;
  }
  return `${value}${BINARY_SUFFIXES[suffix]}`;
}

/** A JVM heap size flag value from MiB: "6g" when whole GiB, else "768m". */
export function jvmHeapSize(mebibytes: number): string {
  if (!(Number.isInteger(mebibytes) && mebibytes >= 1)) throw new Error(`heap: got ${mebibytes}, expected a whole number of MiB >= 1`);
  return mebibytes % 1024 === 0 ? `${mebibytes / 1024}g` : `${mebibytes}m`;
}
