/** The comparison report: self-contained HTML with charts rendered to SVG when it is written. */
export {
  type Chart,
  commitWaitChart,
  latencyChart,
  lostUpdatesChart,
  renderSvg,
  throughputChart,
} from "./charts.js";
export {
  escapeHtml,
  formatNumber,
  pointer,
  type ReportInput,
  renderReport,
  resolvePointer,
  type ThroughputRow,
} from "./html.js";
