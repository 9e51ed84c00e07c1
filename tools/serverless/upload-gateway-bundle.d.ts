/** Types of upload-gateway-bundle.js (a serverless plugin in plain CommonJS), for its spec. */
declare class UploadGatewayBundle {
  constructor(serverless: unknown);
  readonly hooks: Record<string, () => unknown>;
  checkCertificate(): void;
  checkExternalUrl(): void;
  upload(): Promise<void>;
}

declare namespace UploadGatewayBundle {
  function buildBundle(root: string, target: string): Promise<{ bytes: Buffer; file: string }>;
}

export = UploadGatewayBundle;
