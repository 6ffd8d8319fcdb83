/**
 * Every runnable scenario, in the chapter's order, and the lookup by name
 * that `skew scenario run <name>` uses.
 */
import { asymmetricFault } from "./asymmetric-fault.js";
import { commitWaitScenario } from "./commit-wait.js";
import { ScenarioError } from "./errors.js";
import { fencingSeveralReplicas } from "./fencing-several-replicas.js";
import { leaseProcessPause } from "./lease-process-pause.js";
import { lostUpdateClockSkew } from "./lost-update-clock-skew.js";
import { majorityQuorums } from "./majority-quorums.js";
import { ntpOutvoting } from "./ntp-outvoting.js";
import type { Scenario } from "./scenario.js";
import { timeoutVsPhiAccrual } from "./timeout-vs-phi-accrual.js";

export const scenarios: readonly Scenario[] = Object.freeze([
  timeoutVsPhiAccrual,
  lostUpdateClockSkew,
  commitWaitScenario,
  leaseProcessPause,
  asymmetricFault,
  majorityQuorums,
  fencingSeveralReplicas,
  ntpOutvoting,
]);

/** The scenario called `name`; an unknown name is a `SCENARIO_UNKNOWN` error that lists the valid ones. */
export function findScenario(name: string): Scenario {
  const found = scenarios.find((scenario) => scenario.name === name);
  if (found !== undefined) return found;
  throw new ScenarioError(
    "SCENARIO_UNKNOWN",
    `no scenario is called ${JSON.stringify(name)}; the scenarios are: ${scenarios.map((s) => s.name).join(", ")}`,
  );
}
