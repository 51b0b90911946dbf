import { Construct } from "constructs";
import { EnvironmentConfig } from "../config/types";
import { PolicyPack, platformRules } from "../constructs/policy";
import { ClusterBaseStack } from "./cluster-base-stack";
import { EksStack } from "./eks-stack";
import { COST_TAG_KEYS, StateBackendKind } from "./kit-stack";
import { NetworkStack } from "./network-stack";

export interface EnvironmentStacks {
  readonly env: EnvironmentConfig;
  readonly policy: PolicyPack;
  readonly network: NetworkStack;
  readonly eks: EksStack;
  readonly clusterBase: ClusterBaseStack;
}

/**
 * All stacks of one environment, wired through typed interfaces. The config
 * must already be validated (see config/validate.ts).
 */
export function buildEnvironment(scope: Construct, env: EnvironmentConfig, stateBackend: StateBackendKind): EnvironmentStacks {
  const policy = new PolicyPack({ rules: platformRules, production: env.production, requiredTags: COST_TAG_KEYS });
  const common = { env, stateBackend, aspects: [policy] };
  const network = new NetworkStack(scope, common);
  const eks = new EksStack(scope, { ...common, network: network.network });
  const clusterBase = new ClusterBaseStack(scope, { ...common, cluster: eks.cluster });
  return { env, policy, network, eks, clusterBase };
}
