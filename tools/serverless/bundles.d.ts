/** Types of bundles.js (plain CommonJS, shared with tools/bench). */
export declare const ROOT: string;

export declare function packagingEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;

export declare function packageService(options: {
  stage: string;
  outDir: string;
  params?: Record<string, string>;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}): Promise<{ ms: number; output: string }>;

export declare function readZip(file: string): Map<string, Buffer>;

export declare function extractZip(file: string, dir: string): string[];

export declare function handlerEntry(handler: string): { file: string; exportName: string };

export interface LoadReport {
  readonly requireMs?: number;
  /** CPU time (user + system, all threads) the require took: steadier than requireMs on a busy machine. */
  readonly requireCpuMs?: number;
  readonly invokeMs?: number;
  readonly exports?: string[];
  readonly result?: unknown;
  readonly error?: { name?: string; message: string };
  /** The tail of the child's stdout and stderr (handler logs). */
  readonly output: string;
}

export declare function loadBundle(
  file: string,
  options?: { exportName?: string; event?: unknown; env?: NodeJS.ProcessEnv; sourceMaps?: boolean; timeoutMs?: number },
): Promise<LoadReport>;

export declare function offlineFunctionEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
