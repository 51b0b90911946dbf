import { renderTimelineSvg, timelineSpec } from "../loadtest/report/chart";
import type { TimelinePoint } from "../loadtest/harness/timeline";

/** Every tag closed in order (self-closing tags aside), one root <svg>: enough to call a generated document well-formed. */
function expectWellFormedSvg(svg: string): void {
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  const stack: string[] = [];
  let roots = 0;
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      expect(stack.pop()).toBe(name);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

const run: TimelinePoint[] = Array.from({ length: 40 }, (_, s) => ({
  second: s,
  offeredEvents: 3500,
  acknowledgedEvents: s >= 10 && s < 20 ? 1200 : 3480,
  rejected429: s >= 10 && s < 20 ? 25 : 0,
  otherErrors: s === 12 ? 3 : 0,
  ...(s === 15 ? {} : { p50Ms: 14 + (s % 3), p99Ms: s >= 10 && s < 20 ? 4_000 : 45 }),
}));

describe("timeline chart", () => {
  test("renders a well-formed SVG with the title, axis titles, legends and markers", async () => {
    const svg = await renderTimelineSvg(run, {
      title: "broker-kill on real brokers",
      markers: [
        { second: 10, label: "broker 2 killed" },
        { second: 20, label: "broker 2 back" },
      ],
    });
    expectWellFormedSvg(svg);
    const t = texts(svg);
    for (const label of [
      "broker-kill on real brokers",
      "seconds since start",
      "events/s",
      "latency of 202s, ms (log)",
      "refused requests/s",
      "offered",
      "acknowledged (202)",
      "p50",
      "p99",
      "429",
      "broker 2 killed",
      "broker 2 back",
    ])
      expect(t).toContain(label);
    // Three panels: one y axis title each, the x axis title once (the bottom panel's).
    expect(t.filter((x) => x === "seconds since start")).toHaveLength(1);
  });

  test("a run without any 202 still charts (empty latency panel on its log scale)", async () => {
    const refused = run.map(({ second }) => ({ second, offeredEvents: 100, acknowledgedEvents: 0, rejected429: 1, otherErrors: 0 }));
    const svg = await renderTimelineSvg(refused, { title: "all refused" });
    expectWellFormedSvg(svg);
    expect(texts(svg)).toContain("all refused");
  });

  test("an empty timeline is an error that says so, not an empty chart", async () => {
    await expect(renderTimelineSvg([], { title: "nothing" })).rejects.toThrow(/no points; nothing was recorded/);
  });

  test("markers past the last point widen the x axis to show them", () => {
    const spec = timelineSpec(run, { title: "t", markers: [{ second: 55, label: "late" }] }) as any;
    expect(spec.vconcat[2].layer[0].encoding.x.scale.domain).toEqual([0, 55]);
    expect(timelineSpec(run, { title: "t" }) as any).toMatchObject({ vconcat: [{ layer: [{}] }, { layer: [{}] }, { layer: [{}] }] });
  });
});
