/**
 * Amazon EKS Kubernetes versions and their support windows. Standard support
 * lasts 14 months from release; extended support 12 months more, at about 6x
 * the control-plane fee ($0.60 instead of $0.10 per cluster-hour). After that
 * the version cannot be run at all.
 *
 * Source: the Amazon EKS Kubernetes release calendar (docs.aws.amazon.com,
 * "Understand the Kubernetes version lifecycle on EKS"), as published in
 * November 2026. Add a version here when EKS releases it.
 */

export interface EksVersionSupport {
  /** Kubernetes minor version, "1.35". */
  readonly version: string;
  /** Last day of standard support (ISO date). */
  readonly standardSupportEnds: string;
  /** Last day of extended support (ISO date). */
  readonly extendedSupportEnds: string;
}

export const EKS_VERSIONS: readonly EksVersionSupport[] = [
  { version: "1.29", standardSupportEnds: "2025-03-23", extendedSupportEnds: "2026-03-23" },
  { version: "1.30", standardSupportEnds: "2025-07-23", extendedSupportEnds: "2026-07-23" },
  { version: "1.31", standardSupportEnds: "2025-11-26", extendedSupportEnds: "2026-11-26" },
  { version: "1.32", standardSupportEnds: "2026-03-23", extendedSupportEnds: "2027-03-23" },
  { version: "1.33", standardSupportEnds: "2026-07-29", extendedSupportEnds: "2027-07-29" },
  { version: "1.34", standardSupportEnds: "2026-12-02", extendedSupportEnds: "2027-12-02" },
  { version: "1.35", standardSupportEnds: "2027-03-27", extendedSupportEnds: "2028-03-27" },
];

/** Control-plane price per cluster-hour, us-east-1 (standard, extended support). */
export const EKS_CONTROL_PLANE_USD_PER_HOUR = { standard: 0.1, extended: 0.6 } as const;

/** Days before the end of standard support from which the kit warns. */
export const SUPPORT_END_WARNING_DAYS = 60;

export type EksSupportPhase = "standard" | "ending-soon" | "extended" | "unsupported";

/** Where `version` stands on `today` (an ISO date): undefined for a version the table does not know. */
export function eksSupportPhase(version: string, today: string): { phase: EksSupportPhase; entry: EksVersionSupport } | undefined {
  const entry = EKS_VERSIONS.find((v) => v.version === version);
  if (!entry) return undefined;
  if (today > entry.extendedSupportEnds) return { phase: "unsupported", entry };
  if (today > entry.standardSupportEnds) return { phase: "extended", entry };
  const daysLeft = (Date.parse(entry.standardSupportEnds) - Date.parse(today)) / 86_400_000;
  return { phase: daysLeft <= SUPPORT_END_WARNING_DAYS ? "ending-soon" : "standard", entry };
}

/** Versions in standard support on `today`, oldest first. */
export function versionsInStandardSupport(today: string): string[] {
  return EKS_VERSIONS.filter((v) => today <= v.standardSupportEnds).map((v) => v.version);
}
