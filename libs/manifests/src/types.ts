import type { Digest } from '@cargohold/oci';

/** Bodies larger than this are refused before they are decoded (413, SIZE_INVALID). Matches distribution. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Nesting deeper than this is a hostile document: real manifests nest five levels at most. */
export const MAX_MANIFEST_DEPTH = 32;

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  features?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  artifactType?: string;
  platform?: Platform;
}

export type ParsedManifest =
  | {
      kind: 'image';
      mediaType: string;
      config: Descriptor;
      layers: Descriptor[];
      subject?: Descriptor;
      artifactType?: string;
      annotations?: Record<string, string>;
    }
  | {
      kind: 'index';
      mediaType: string;
      manifests: Descriptor[];
      subject?: Descriptor;
      artifactType?: string;
      annotations?: Record<string, string>;
    };

export type ImageManifest = Extract<ParsedManifest, { kind: 'image' }>;
export type ImageIndex = Extract<ParsedManifest, { kind: 'index' }>;
