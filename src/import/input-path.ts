import { isAbsolute, join } from "node:path";

/** Where a job's input file is: spooled paths are relative to the data directory. */
export function inputFilePath(dataDir: string, path: string): string {
  return isAbsolute(path) ? path : join(dataDir, path);
}
