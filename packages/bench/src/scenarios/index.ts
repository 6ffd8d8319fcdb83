/**
 * The chapter's scenarios, runnable (issue 7): each story of
 * ../../../../shared/CHAPTER.txt played on the deterministic simulator,
 * without the remedy and with it, narrated and checked.
 */
export {
  type AsymmetricFaultFacts,
  asymmetricFault,
} from "./asymmetric-fault.js";
export {
  type CommandIo,
  exitFailed,
  exitOk,
  exitUsage,
  scenarioCommand,
  scenarioUsage,
} from "./command.js";
export {
  type CommitWaitWithFacts,
  type CommitWaitWithoutFacts,
  commitWaitScenario,
} from "./commit-wait.js";
export { seedDefault, seedMax, seedMin, timelineEntriesMax } from "./constants.js";
export { ScenarioError, type ScenarioErrorCode, scenarioErrorCodes } from "./errors.js";
export {
  type FencingReplicasWithFacts,
  type FencingReplicasWithoutFacts,
  fencingSeveralReplicas,
} from "./fencing-several-replicas.js";
export { formatScenario, formatTimeline } from "./format.js";
export {
  type LeasePauseWithFacts,
  type LeasePauseWithoutFacts,
  leaseProcessPause,
} from "./lease-process-pause.js";
export {
  type LostUpdateWithFacts,
  type LostUpdateWithoutFacts,
  lostUpdateClockSkew,
} from "./lost-update-clock-skew.js";
export { type MajorityQuorumsFacts, majorityQuorums } from "./majority-quorums.js";
export { clockText, durationText, msText, Timeline } from "./narration.js";
export { type NtpExchange, type NtpSample, type Selection, sampleOf, selectOffset } from "./ntp-client.js";
export { type NtpWithFacts, type NtpWithoutFacts, ntpOutvoting } from "./ntp-outvoting.js";
export { findScenario, scenarios } from "./registry.js";
export type {
  EntryKind,
  Facts,
  Scenario,
  ScenarioOptions,
  ScenarioResult,
  ScenarioRun,
  TimelineEntry,
} from "./scenario.js";
export { checkSeed, parseSeed, simulationSeed } from "./seeds.js";
export { type TimeoutWithFacts, type TimeoutWithoutFacts, timeoutVsPhiAccrual } from "./timeout-vs-phi-accrual.js";
