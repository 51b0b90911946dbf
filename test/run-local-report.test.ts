import { LocalRunReport, timelineMarkers } from "../loadtest/harness/run-local";

// timelineMarkers reads only the drill fields; the rest of a report does not matter here.
const report = (r: Partial<LocalRunReport>) => r as LocalRunReport;

describe("loadtest:local chart markers", () => {
  test("the mock cluster's broker-failover: down and back", () => {
    const drill = { broker: 2, downAtSeconds: 20, leadersMoved: 17, restoredAtSeconds: 40, leadersRestored: 17 };
    expect(timelineMarkers(report({ drill }))).toEqual([
      { second: 20, label: "broker 2 down" },
      { second: 40, label: "broker 2 back" },
    ]);
  });

  test("a real drill: every event it noted, at its time", () => {
    const realDrill = {
      name: "broker-kill" as const,
      events: [
        { atSeconds: 30.1, what: "SIGKILL broker 2" },
        { atSeconds: 42, what: "broker 2 restarted" },
      ],
    };
    expect(timelineMarkers(report({ realDrill }))).toEqual([
      { second: 30.1, label: "SIGKILL broker 2" },
      { second: 42, label: "broker 2 restarted" },
    ]);
  });

  test("no drill, no markers", () => {
    expect(timelineMarkers(report({}))).toEqual([]);
  });
});
