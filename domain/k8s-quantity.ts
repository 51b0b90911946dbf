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

const DECIMAL_SUFFIX_EXPONENT: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX_POWER: Readonly<Record<string, number>> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/**
 * The spelling the Kubernetes API server stores for a quantity (apimachinery's
 * Quantity.String): binary suffixes stay binary when the value is a whole
 * number of bytes of at least 1Ki, using the largest suffix that keeps it
 * whole; everything else is decimal with the largest SI suffix (or e-notation
 * exponent, a multiple of 3) that keeps the mantissa whole, rounded up to
 * nano units. Undefined when `text` is not a quantity.
 */
export function canonicalQuantity(text: string): string | undefined {
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, number, suffix, exponentText] = m;
  const [whole, fraction = ""] = number.split(".");
  // value = digits * 10^decimalExponent * 1024^binaryPower
  let digits = BigInt((whole || "0") + fraction);
  let decimalExponent = -fraction.length;
  let format: "binary" | "decimal" | "exponent" = "decimal";
  let binaryPower = 0;
  if (suffix !== undefined && suffix in BINARY_SUFFIX_POWER) {
    format = "binary";
    binaryPower = BINARY_SUFFIX_POWER[suffix];
  } else if (suffix !== undefined) {
    decimalExponent += DECIMAL_SUFFIX_EXPONENT[suffix];
  } else if (exponentText !== undefined) {
    format = "exponent";
    decimalExponent += Number(exponentText);
  }
  digits *= 1024n ** BigInt(binaryPower);
  const negative = sign === "-" && digits !== 0n;

  if (format === "binary") {
    // A whole number of bytes >= 1024 stays binary; otherwise it is shown as decimal.
    let bytes = digits;
    let exact = true;
    if (decimalExponent < 0) {
      const divisor = 10n ** BigInt(-decimalExponent);
      exact = bytes % divisor === 0n;
      bytes /= divisor;
    } else bytes *= 10n ** BigInt(decimalExponent);
    if (exact && bytes >= 1024n) {
      let power = 0;
      while (bytes % 1024n === 0n && power < 6) {
        bytes /= 1024n;
        power++;
      }
      const names = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
      return `${negative ? "-" : ""}${bytes}${names[power]}`;
    }
    format = "decimal";
  }
  // Round up (away from zero) to nano units, as the API server does.
  if (decimalExponent < -9) {
    const divisor = 10n ** BigInt(-9 - decimalExponent);
    digits = digits / divisor + (digits % divisor === 0n ? 0n : 1n);
    decimalExponent = -9;
  }
  if (digits === 0n) return "0";
  // Largest exponent that is a multiple of 3 and keeps the mantissa whole.
  while (decimalExponent % 3 !== 0) {
    digits *= 10n;
    decimalExponent--;
  }
  while (digits % 1000n === 0n && decimalExponent < 18) {
    digits /= 1000n;
    decimalExponent += 3;
  }
  const prefix = negative ? "-" : "";
  if (format === "exponent") return `${prefix}${digits}${decimalExponent === 0 ? "" : `e${decimalExponent}`}`;
  const name = Object.entries(DECIMAL_SUFFIX_EXPONENT).find(([, e]) => e === decimalExponent)![0];
  return `${prefix}${digits}${name}`;
}

/**
 * The value of a quantity in base units (cores for CPU, bytes for memory):
 * "500m" is 0.5, "1Gi" is 1073741824, "2e3" is 2000. Undefined when `text`
 * is not a quantity.
 */
export function quantityValue(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) ? text : undefined;
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, number, suffix, exponentText] = m;
  let value = Number(number);
  if (suffix !== undefined && suffix in BINARY_SUFFIX_POWER) value *= 1024 ** BINARY_SUFFIX_POWER[suffix];
  else if (suffix !== undefined) value *= 10 ** DECIMAL_SUFFIX_EXPONENT[suffix];
  else if (exponentText !== undefined) value *= 10 ** Number(exponentText);
  return sign === "-" ? -value : value;
}
