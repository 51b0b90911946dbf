/**
 * npm run capacity [-- --env prod[,staging]]
 * Prints the capacity plan of each environment, what its node pools hold with
 * every autoscaler at its maximum, and whether its config can carry its
 * declared load (exit 1 when it cannot).
 */
import { environmentNamed, environments, findConfigProblems } from "../../config";
import { planForEnvironment } from "../../config/capacity";
import { schedulingInputsFor } from "../../config/workloads";
import { formatPlan } from "../../domain/capacity-planner";
import { formatSchedulingPlan, planScheduling } from "../../domain/scheduling-planner";

function main(argv: readonly string[]): number {
  const flag = argv.indexOf("--env");
  if (flag >= 0 && !argv[flag + 1]) {
    console.error("usage: npm run capacity -- [--env <name>[,<name>...]]");
    return 2;
  }
  const selected = flag >= 0 ? argv[flag + 1].split(",").map((n) => environmentNamed(n.trim())) : environments;
  let failed = false;
  for (const env of selected) {
    const plan = planForEnvironment(env);
    console.log(
      formatPlan(
        `capacity plan: ${env.name} (${env.kafka.brokers.min}-${env.kafka.brokers.max} brokers, RF ${env.kafka.replicationFactor}, min ISR ${env.kafka.minInsyncReplicas})`,
        plan,
      ),
    );
    const inputs = schedulingInputsFor(env);
    console.log("");
    console.log(formatSchedulingPlan(`node pools at every autoscaler's maximum: ${env.name}`, planScheduling(inputs), inputs.pools));
    const check = findConfigProblems(env);
    for (const w of check.warnings) console.log(`  warning: ${w.path}: ${w.message}`);
    if (check.problems.length) {
      failed = true;
      console.log(`  verdict: REFUSED`);
      for (const p of check.problems) console.log(`    ${p.path}: ${p.message}`);
    } else {
      console.log(`  verdict: config carries the declared load`);
    }
    console.log("");
  }
  return failed ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 2;
}
