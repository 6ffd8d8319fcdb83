/** The versioned store's history: multi-version history per key and reads at a timestamp (issue 5). */

export {
  compareDots,
  type Dot,
  type ObserveOutcome,
  SiblingHistory,
  type SiblingHistoryOptions,
  type SiblingReport,
  type SiblingVersion,
  type SiblingVersionView,
  siblingViews,
} from "./sibling-history.js";
export {
  type CollectReport,
  compareVersions,
  HistoryTruncatedError,
  type InsertOutcome,
  type Version,
  VersionHistory,
  type VersionHistoryOptions,
  type VersionView,
  versionView,
} from "./version-history.js";
