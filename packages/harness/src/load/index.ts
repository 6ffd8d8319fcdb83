/** The HTTP load generator (its own process: `runLoadProcess`) and the shapes of its requests. */
export { checkLoadOptions, type LoadOptions, type LoadResult, runLoad } from "./load.js";
export { LoadProcessError, loadProcessArgs, parseLoadResult, runLoadProcess } from "./process.js";
export {
  etcdPutRequest,
  etcdRangeRequest,
  expandTemplate,
  type LoadBody,
  type LoadMethod,
  type LoadRequest,
  type PreparedRequest,
  prepareRequest,
  skewPutRequest,
  valueByte,
} from "./request.js";
