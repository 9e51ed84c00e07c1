import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import UploadGatewayBundle = require('./upload-gateway-bundle');

/**
 * The plugin's deploy-time hooks, which `serverless package` never runs: the certificate check before the
 * stack update, and the bundle's upload after serverless uploaded its own artifacts. The framework around
 * them (the compiled template, the provider's S3 call) is a stand-in: deploying needs an AWS account.
 */

interface Call {
  service: string;
  method: string;
  params: Record<string, unknown>;
}

let serviceDir: string;
let calls: Call[];

beforeEach(() => {
  serviceDir = mkdtempSync(join(tmpdir(), 'cargohold-gateway-plugin-'));
  mkdirSync(join(serviceDir, '.serverless'));
  calls = [];
});

afterEach(() => rmSync(serviceDir, { recursive: true, force: true }));

function plugin(template: Record<string, unknown>, provider: Record<string, unknown> = {}, functions: Record<string, unknown> = {}): UploadGatewayBundle {
  const aws = {
    getServerlessDeploymentBucketName: async () => 'cargohold-deployment-bucket',
    request: async (service: string, method: string, params: Record<string, unknown>) => void calls.push({ service, method, params }),
  };
  return new UploadGatewayBundle({
    serviceDir,
    getProvider: () => aws,
    cli: { log: () => undefined },
    service: { resources: {}, functions, provider: { compiledCloudFormationTemplate: template, ...provider } },
  });
}

const listener = (protocol: string, certificateArn?: string) => ({
  UploadGatewayListener: {
    Type: 'AWS::ElasticLoadBalancingV2::Listener',
    Properties: { Protocol: protocol, ...(certificateArn === undefined ? {} : { Certificates: [{ CertificateArn: certificateArn }] }) },
  },
});
/** The UploadGatewayUrl output: https:// and the domain, or the load balancer's DNS name without one. */
const urlOutput = (domain?: string) => ({
  UploadGatewayUrl: { Value: { 'Fn::Join': ['', ['https://', domain ?? { 'Fn::GetAtt': ['UploadGatewayLoadBalancer', 'DNSName'] }]] } },
});
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000';

describe('before the stack update: an HTTPS gateway needs a domain and its certificate', () => {
  it('lets a domain with a certificate through, and an HTTP-only or gateway-less stage', () => {
    expect(() => plugin({ Resources: listener('HTTPS', CERTIFICATE), Outputs: urlOutput('uploads.example.com') }).checkCertificate()).not.toThrow();
    expect(() => plugin({ Resources: listener('HTTP'), Outputs: urlOutput() }).checkCertificate()).not.toThrow();
    expect(() => plugin({ Resources: {} }).checkCertificate()).not.toThrow();
  });

  it('stops a deploy without the certificate, or without the domain, naming what to set', () => {
    const noCertificate = plugin({ Resources: listener('HTTPS', ''), Outputs: urlOutput('uploads.example.com') });
    expect(() => noCertificate.checkCertificate()).toThrow(/CARGOHOLD_UPLOAD_GATEWAY_CERTIFICATE_ARN/);
    const noDomain = plugin({ Resources: listener('HTTPS', CERTIFICATE), Outputs: urlOutput() });
    expect(() => noDomain.checkCertificate()).toThrow(/CARGOHOLD_UPLOAD_GATEWAY_DOMAIN.*uploadGateway=false/);
  });
});

describe('while packaging: an external gateway needs its URL', () => {
  const withUrl = (url: string) => ({ 'distribution-api': { environment: { BUCKET: 'b', UPLOAD_GATEWAY_URL: url } }, purge: { environment: { BUCKET: 'b' } } });

  it('lets a URL, or no gateway at all, through', () => {
    expect(() => plugin({}, {}, withUrl('http://localhost:5080')).checkExternalUrl()).not.toThrow();
    expect(() => plugin({}, {}, { purge: { environment: { BUCKET: 'b' } }, scanner: {} }).checkExternalUrl()).not.toThrow();
  });

  it('stops on an empty one, naming the function and the parameter', () => {
    expect(() => plugin({}, {}, withUrl('')).checkExternalUrl()).toThrow(/distribution-api.*uploadGatewayUrl/);
  });
});

describe('after the artifacts: the bundle goes where the task definition fetches it', () => {
  const file = 'upload-gateway-0123456789abcdef.js';
  const key = `serverless/cargohold/dev/1796363143997-2026-12-04T05:45:43.997Z/${file}`;
  const taskDefinition = { UploadGatewayTaskDefinition: { Type: 'AWS::ECS::TaskDefinition', Metadata: { 'cargohold:bundle': { file, key } } } };

  it('uploads the packaged file under its recorded key in the deployment bucket', async () => {
    writeFileSync(join(serviceDir, '.serverless', file), 'the bundle');
    await plugin({ Resources: taskDefinition }).upload();
    expect(calls).toEqual([
      {
        service: 'S3',
        method: 'putObject',
        params: { Bucket: 'cargohold-deployment-bucket', Key: key, Body: Buffer.from('the bundle'), ContentType: 'application/javascript' },
      },
    ]);
  });

  it('uploads nothing when serverless skips an unchanged deployment, or the stage has no gateway', async () => {
    await plugin({ Resources: taskDefinition }, { shouldNotDeploy: true }).upload();
    await plugin({ Resources: {} }).upload();
    expect(calls).toEqual([]);
  });

  it('fails the deploy when the packaged bundle is missing', async () => {
    await expect(plugin({ Resources: taskDefinition }).upload()).rejects.toThrow(/ENOENT/);
  });
});
