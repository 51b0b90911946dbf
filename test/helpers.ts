import { EnvironmentConfig } from "../config/types";

type DeepPartial<T> = { -readonly [K in keyof T]?: T[K] extends readonly (infer U)[] ? readonly U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** A copy of `base` with `patch` merged in (arrays replaced, objects merged). */
export function withOverrides(base: EnvironmentConfig, patch: DeepPartial<EnvironmentConfig>): EnvironmentConfig {
  return merge(base, patch) as EnvironmentConfig;
}

function merge(base: any, patch: any): any {
  if (patch === undefined) return base;
  if (Array.isArray(patch) || typeof patch !== "object" || patch === null) return patch;
  const out: any = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = merge(base?.[k], v);
  return out;
}
