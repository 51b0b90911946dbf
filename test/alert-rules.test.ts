import { renderRuleGroups, runbookPath, runbookSlug } from "../domain/alert-rules";

describe("alert rules: names, runbooks and rendering", () => {
  test("runbook slugs are the kebab-case alert names", () => {
    expect(runbookSlug("KafkaUnderReplicatedPartitions")).toBe("kafka-under-replicated-partitions");
    expect(runbookSlug("IngestGatewayHTTP5xxRate")).toBe("ingest-gateway-http-5xx-rate");
    expect(runbookPath("Watchdog")).toBe("runbooks/watchdog.md");
  });

  test("severity becomes a label and the runbook URL an annotation", () => {
    const [g] = renderRuleGroups(
      [{ name: "kit", rules: [{ alert: "Watchdog", expr: "vector(1)", for: "0s", severity: "none", summary: "s", description: "d" }] }],
      "https://example.com/runbooks/",
    );
    expect(g.rules[0]).toEqual({
      alert: "Watchdog",
      expr: "vector(1)",
      for: "0s",
      labels: { severity: "none" },
      annotations: { summary: "s", description: "d", runbook_url: "https://example.com/runbooks/watchdog.md" },
    });
  });
});
