/**
 * The load generator's process: `node main.js '<LoadOptions as JSON>'`
 * prints one line of JSON, a `LoadResult` (`runLoadProcess` and
 * `loadProcessArgs` spawn it). Exit code 1 with the reason on standard
 * error when it cannot run.
 */
import { type LoadOptions, runLoad } from "./load.js";

try {
  const options = JSON.parse(process.argv[2] ?? "") as LoadOptions;
  const result = await runLoad(options);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
