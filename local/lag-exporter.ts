/** Placeholder; the helper replaces it. */
export class LagExporter {
  readonly address: string = "";
  static async start(_brokers: readonly string[], _port: number): Promise<LagExporter> {
    throw new Error("not yet");
  }
  async stop(): Promise<void> {}
}
