/**
 * @skew/jepsen: Jepsen-style workloads, histories and checkers for the Skew
 * store, and the store run on the deterministic simulator. One checker, two
 * drivers: a workload talks to a `Driver` (driver.ts) and records a Jepsen
 * history; the checkers judge that history and a final read, never the
 * driver. `KvCluster` is the simulator's driver; real processes get theirs
 * in @skew/jepsen/live (issue 8).
 */

export {
  type ConvergenceReport,
  checkConvergence,
  describeConvergence,
  type NodeRoots,
  type PartitionDivergence,
  type RootHolders,
} from "./checkers/convergence.js";
export {
  type CounterReport,
  checkCounter,
} from "./checkers/counter.js";
export { checkFencing, type FencingReport } from "./checkers/fencing.js";
export { checkRegister, type RegisterReport } from "./checkers/register.js";
export {
  maxSiblings,
  merkleDisagreements,
  type ReplicaSource,
  type ReplicaView,
  replicaDisagreements,
  siblingsOf,
  siblingViolations,
} from "./checkers/replicas.js";
export { checkSet, type SetReport } from "./checkers/set.js";
export { checkSiblings, type SiblingsReport } from "./checkers/siblings.js";
export {
  type CountStaleness,
  checkStaleReads,
  describeStaleReads,
  type IdsStaleness,
  type NodeRead,
  type NodeStaleness,
  type StaleReadsKind,
  type StaleReadsReport,
  type UnreadNode,
} from "./checkers/stale-reads.js";
export { codeOf, type Driver, type NoReply, type Outcome, type WorkloadClient } from "./driver.js";
export { JepsenError, type JepsenErrorCode, jepsenErrorCodes } from "./errors.js";
export {
  clockStepMsMaxDefault,
  describeFault,
  type Fault,
  type FaultKind,
  type FaultPlanOptions,
  faultDurationMsMaxDefault,
  faultDurationMsMinDefault,
  faultGapMsMeanDefault,
  faultKinds,
  planFaults,
} from "./faults/schedule.js";
export {
  History,
  idsRead,
  type Op,
  type Operation,
  type OpType,
  operations,
  siblingsRead,
  writeIdOf,
} from "./history.js";
export {
  type ClusterOptions,
  type CoordinatedRequest,
  clientTimeoutMsDefault,
  type FinalReadOptions,
  KvClient,
  KvCluster,
  KvHost,
  type Wire,
} from "./sim/cluster.js";
export { applyFaults } from "./sim/faults.js";
export { deletedKeysReadBack, finalSetRead } from "./sim/final-read.js";
export {
  quorumTimeoutMsDefault,
  runMsDefault,
  type SimulatedRun,
  type SimulatedRunOptions,
  simulateWorkload,
  warmupMs,
} from "./sim/run.js";
export {
  type SwarmDeletes,
  type SwarmSetOptions,
  type SwarmSetRun,
  swarmSetRun,
  swarmTombstoneRemovalDelayMsDefault,
  swarmViolations,
} from "./sim/swarm.js";
export { text } from "./text.js";
export { judge, type Verdict } from "./verdict.js";
export { CounterWorkload, type CounterWorkloadOptions, counterCodec } from "./workloads/counter.js";
export { DeleteWorkload, type DeleteWorkloadOptions } from "./workloads/deletes.js";
export {
  driverClock,
  excusedByNewerToken,
  type FencedOptions,
  type FencedStats,
  type FencedSuiteOptions,
  type FencedVerdict,
  FencedWriters,
  fencedClientsOf,
  fencedReaderThinkMsMaxDefault,
  fencedThinkMsMaxDefault,
  judgeFenced,
  type Lease,
  LeaseService,
  leaseMsDefault,
  leaseRetryMsMaxDefault,
  type RunningFenced,
  startFenced,
} from "./workloads/fenced.js";
export { ReadModifyWrite, type ReadModifyWriteOptions } from "./workloads/read-modify-write.js";
export {
  BlindWriters,
  type ReadersOptions,
  RegisterReaders,
  registerCodec,
  SequentialWriters,
  type WritersOptions,
} from "./workloads/register.js";
export { SetWorkload, type SetWorkloadOptions, setCodec } from "./workloads/set.js";
export {
  clientsOf,
  type RunningWorkload,
  type SuiteOptions,
  startWorkload,
  thinkMsMaxDefaults,
  type WorkloadKind,
  workloadKinds,
} from "./workloads/suite.js";
export { type ClientAt, type Completion, type Finish, Workload, type WorkloadOptions } from "./workloads/workload.js";
