import { dev } from "./dev";
import { prod } from "./prod";
import { staging } from "./staging";
import { EnvironmentConfig } from "./types";

export * from "./types";
export { validateEnvironmentConfig, findConfigProblems, ConfigValidationError } from "./validate";

/** Every environment the kit synthesizes by default, in deploy order. */
export const environments: readonly EnvironmentConfig[] = [dev, staging, prod];

/** Looks an environment up by name, with the known names in the error. */
export function environmentNamed(name: string): EnvironmentConfig {
  const found = environments.find((e) => e.name === name);
  if (!found) {
    throw new Error(`Unknown environment ${JSON.stringify(name)}; known: ${environments.map((e) => e.name).join(", ")}`);
  }
  return found;
}
