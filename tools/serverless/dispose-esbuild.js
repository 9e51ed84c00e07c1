'use strict';
/**
 * Disposes serverless-esbuild's esbuild contexts once packaging is done.
 *
 * serverless-esbuild keeps one esbuild context per entry (for incremental rebuilds) and disposes them
 * in its `after:package:createDeploymentArtifacts` hook. serverless-localstack replaces that hook with
 * its own cleanup-only override whenever it detects serverless-esbuild (serverless-localstack#248), so
 * the contexts, and with them esbuild's service child process, stay alive and `serverless package`
 * never exits. esbuild (>= 0.17) has no top-level "dispose everything": each `esbuild.context()` result
 * has its own `dispose()`, held in the plugin's `buildCache`.
 */
class DisposeEsbuildContexts {
  constructor(serverless) {
    this.serverless = serverless;
    // As soon as the zips are written (a later failure must not leave the process hanging), and again at
    // the end of packaging in case anything rebuilt in between.
    this.hooks = {
      'after:package:createDeploymentArtifacts': () => this.dispose(),
      'after:package:finalize': () => this.dispose(),
      'after:deploy:function:packageFunction': () => this.dispose(),
    };
  }

  async dispose() {
    for (const plugin of this.serverless.pluginManager.getPlugins()) {
      if (plugin.constructor.name !== 'EsbuildServerlessPlugin') continue;
      // Idempotent: esbuild ignores dispose() on an already disposed context.
      for (const { context } of Object.values(plugin.buildCache ?? {})) await context?.dispose?.();
    }
  }
}

module.exports = DisposeEsbuildContexts;
