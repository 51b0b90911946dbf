/**
 * A run's timeline as an SVG chart: Vega-Lite (https://vega.github.io/vega-lite/)
 * compiled to Vega and rendered headless, without a browser or canvas.
 */
import { spawn } from "child_process";
import { pathToFileURL } from "url";
import type { TopLevelSpec } from "vega-lite" with { "resolution-mode": "import" };
import type { TimelinePoint } from "../harness/timeline";

export interface ChartMarker {
  /** Seconds since the timeline's start. */
  readonly second: number;
  readonly label: string;
}

export interface TimelineChartOptions {
  readonly title: string;
  /** Vertical rules across every panel, e.g. "broker 2 killed", "flood starts". */
  readonly markers?: readonly ChartMarker[];
}

const WIDTH = 760;

/**
 * The Vega-Lite spec: three panels over one x axis (seconds since start):
 * throughput (offered vs acknowledged events/s), latency of the 202s (p50,
 * p99; log scale, so a failover's seconds and a quiet run's milliseconds both
 * read), refused requests per second (429s and the rest).
 */
export function timelineSpec(points: readonly TimelinePoint[], opts: TimelineChartOptions): TopLevelSpec {
  if (points.length === 0) {
    // A report without data must say so, not show empty axes that read like a quiet run.
    throw new Error(`renderTimelineSvg("${opts.title}"): the timeline has no points; nothing was recorded, so there is nothing to chart`);
  }
  const markers = opts.markers ?? [];
  const lastSecond = Math.max(points[points.length - 1].second + 1, ...markers.map((m) => m.second));
  const x = {
    field: "second",
    type: "quantitative",
    title: "seconds since start",
    scale: { domain: [0, lastSecond] as number[], nice: false },
  } as const;
  // Each panel folds two fields into (series, value) so one line per series gets a legend entry.
  const folded = (fields: Record<string, string>) => [
    { fold: Object.keys(fields), as: ["field", "value"] as [string, string] },
    { calculate: `${JSON.stringify(fields)}[datum.field]`, as: "series" },
  ];
  const color = (domain: string[], range: string[]) =>
    ({ field: "series", type: "nominal", title: null, scale: { domain, range } }) as const;
  const rules = markers.length
    ? [
        {
          data: { values: markers.map((m) => ({ second: m.second, label: m.label })) },
          mark: { type: "rule", color: "#555", strokeDash: [4, 3] as number[] },
          encoding: { x: { field: "second", type: "quantitative" } },
        } as const,
      ]
    : [];
  // Labels alternate between two rows so markers a few seconds apart (a benchmark's phases) stay legible.
  const labelRows = [...markers].sort((m, n) => m.second - n.second).map((m, i) => ({ second: m.second, label: m.label, y: (i % 2) * 12 }));
  const labels = markers.length
    ? [
        {
          data: { values: labelRows },
          // limit: a long drill note ends in an ellipsis instead of running over the next marker and the legend.
          mark: { type: "text", align: "left", baseline: "top", dx: 3, dy: 2, fontSize: 10, color: "#333", limit: 170 },
          encoding: {
            x: { field: "second", type: "quantitative" },
            y: { field: "y", type: "quantitative", scale: null },
            text: { field: "label" },
          },
        } as const,
      ]
    : [];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: opts.title, anchor: "start" },
    data: { values: points.map((p) => ({ ...p })) },
    config: { font: "sans-serif", view: { stroke: "#ddd" } },
    resolve: { scale: { x: "shared", color: "independent" } },
    vconcat: [
      {
        width: WIDTH,
        height: 160,
        layer: [
          {
            transform: folded({ offeredEvents: "offered", acknowledgedEvents: "acknowledged (202)" }),
            mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5 },
            encoding: {
              x: { ...x, axis: { title: null, labels: false } },
              y: { field: "value", type: "quantitative", title: "events/s" },
              color: color(["offered", "acknowledged (202)"], ["#9aa5b1", "#1f77b4"]),
            },
          },
          ...rules,
          ...labels,
        ],
      },
      {
        width: WIDTH,
        height: 160,
        layer: [
          {
            transform: folded({ p50Ms: "p50", p99Ms: "p99" }),
            // A second without a 202 (an outage) breaks the line: joining its neighbours would draw latencies nobody measured.
            mark: { type: "line", point: { size: 8 }, strokeWidth: 1.5, invalid: "break-paths-filter-domains" },
            encoding: {
              x: { ...x, axis: { title: null, labels: false } },
              y: { field: "value", type: "quantitative", title: "latency of 202s, ms (log)", scale: { type: "log" } },
              color: color(["p50", "p99"], ["#2ca02c", "#d62728"]),
            },
          },
          ...rules,
        ],
      },
      {
        width: WIDTH,
        height: 110,
        layer: [
          {
            transform: folded({ rejected429: "429", otherErrors: "503 / other" }),
            mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5 },
            encoding: {
              x,
              // A run with no refusals keeps a 0-1 axis of whole numbers instead of a degenerate one at 0.
              y: {
                field: "value",
                type: "quantitative",
                title: "refused requests/s",
                scale: { domain: { unionWith: [0, 1] } },
                axis: { format: "d", tickMinStep: 1 },
              },
              color: color(["429", "503 / other"], ["#ff7f0e", "#8c564b"]),
            },
          },
          ...rules,
        ],
      },
    ],
  };
}

/*
 * vega and vega-lite are ES modules only, and vega's graph has a top-level
 * await (vega-canvas probing for the optional `canvas` package), so this
 * CommonJS build cannot require() them, and Jest (which runs the TypeScript
 * sources in a vm without --experimental-vm-modules) cannot import() them.
 * The rendering therefore runs in a short-lived `node` child process that
 * imports both by file URL: the same path under Jest and from dist/, no
 * loader flags, and ~0.3 s per chart.
 */
const RENDER = `
const [vegaUrl, vegaLiteUrl] = process.argv.slice(1);
const vega = await import(vegaUrl);
const vl = await import(vegaLiteUrl);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { spec } = vl.compile(JSON.parse(input));
const view = new vega.View(vega.parse(spec), { renderer: "none", logLevel: vega.Error });
process.stdout.write(await view.toSVG());
`;

/** The timeline chart as an SVG document (see timelineSpec); rejects on an empty timeline. */
export async function renderTimelineSvg(points: readonly TimelinePoint[], opts: TimelineChartOptions): Promise<string> {
  const spec = timelineSpec(points, opts);
  const urls = ["vega", "vega-lite"].map((m) => pathToFileURL(require.resolve(m)).href);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", RENDER, "--", ...urls], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      const svg = Buffer.concat(out).toString("utf8");
      if (code === 0 && svg.startsWith("<svg")) resolve(svg);
      else reject(new Error(`rendering the chart "${opts.title}" failed (exit ${code}): ${Buffer.concat(err).toString("utf8").trim()}`));
    });
    child.stdin.end(JSON.stringify(spec));
  });
}
