/**
 * The kit's Prometheus alerts, defined once: the observability stack emits
 * them as PrometheusRule resources, promtool checks and unit-tests the same
 * groups rendered as a plain rules file, the local platform's Prometheus loads
 * that file, and runbooks/ has one page per alert. Pure data and rendering.
 */

/** Alertmanager routes on this label. */
export type AlertSeverity = "critical" | "warning" | "info" | "none";

export interface AlertRule {
  /** Alert name, CamelCase; its runbook is runbooks/<kebab-case name>.md. */
  readonly alert: string;
  /** PromQL. */
  readonly expr: string;
  /** How long the condition must hold before the alert fires (Prometheus duration, e.g. "10m"); "0s" fires at once. */
  readonly for: string;
  readonly severity: AlertSeverity;
  /** One line, may use {{ $labels.x }} and {{ $value }}. */
  readonly summary: string;
  /** What it means and what to look at first. */
  readonly description: string;
}

export interface AlertGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** The rule-group shape Prometheus (rule files) and the PrometheusRule CRD (spec.groups) share. */
export interface PrometheusRuleGroup {
  readonly name: string;
  readonly rules: readonly {
    readonly alert: string;
    readonly expr: string;
    readonly for: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  }[];
}

/** `KafkaUnderReplicatedPartitions` -> `kafka-under-replicated-partitions`; `IngestGatewayHTTP5xxRate` -> `ingest-gateway-http-5xx-rate`. */
export function runbookSlug(alert: string): string {
  return alert
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .replace(/([A-Za-z])([0-9])/g, "$1-$2")
    .toLowerCase();
}

/** runbooks/<slug>.md, relative to the repository root. */
export function runbookPath(alert: string): string {
  return `runbooks/${runbookSlug(alert)}.md`;
}

/**
 * The groups as Prometheus and the PrometheusRule CRD take them: severity as a
 * label, summary, description and `runbook_url` (`<runbookBaseUrl>/<slug>.md`)
 * as annotations.
 */
export function renderRuleGroups(groups: readonly AlertGroup[], runbookBaseUrl: string): PrometheusRuleGroup[] {
  const base = runbookBaseUrl.replace(/\/+$/, "");
  return groups.map((g) => ({
    name: g.name,
    rules: g.rules.map((r) => ({
      alert: r.alert,
      expr: r.expr,
      for: r.for,
      labels: { severity: r.severity },
      annotations: { summary: r.summary, description: r.description, runbook_url: `${base}/${runbookSlug(r.alert)}.md` },
    })),
  }));
}
