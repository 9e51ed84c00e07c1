import { isForeignLayerMediaType, isMediaType, parseDigest, type Digest } from '@cargohold/oci';
import * as z from 'zod';

/**
 * zod shapes of the manifest documents, after the bytes have passed the JSON scanner. Objects are not
 * strict: OCI requires unknown fields to be ignored, so they are dropped from the parsed result (the
 * stored bytes keep them). Types in types.ts are the public contract; these schemas must produce them.
 */
const mediaType = z.string().refine(isMediaType, {
  message: 'must be a media type of the form type/subtype (RFC 6838) without parameters',
});

const digest = z.string().transform((value, ctx): Digest => {
  try {
    return parseDigest(value).digest;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/**
 * JSON.parse keeps a `"__proto__"` key as an own property, but building the parsed map would silently
 * drop it, so the result would disagree with the stored bytes: refuse it instead.
 */
const stringMap = z
  .unknown()
  .refine((value) => typeof value !== 'object' || value === null || !Object.hasOwn(value, '__proto__'), {
    message: 'the key "__proto__" is not allowed',
  })
  .pipe(z.record(z.string(), z.string()));
const strings = z.array(z.string());

const platform = z.object({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  'os.version': z.string().optional(),
  'os.features': strings.optional(),
  features: strings.optional(),
});

const descriptorFields = {
  mediaType,
  digest,
  size: z.int().min(0),
  urls: strings.optional(),
  annotations: stringMap.optional(),
  artifactType: mediaType.optional(),
  platform: platform.optional(),
};

const foreignLayersListUrls = {
  check: (d: { mediaType: string; urls?: string[] | undefined }) => !isForeignLayerMediaType(d.mediaType) || (d.urls !== undefined && d.urls.length > 0),
  params: { message: 'a foreign or non-distributable layer must list the urls it is fetched from', path: ['urls'] },
};

export const descriptorSchema = z.object(descriptorFields).refine(foreignLayersListUrls.check, foreignLayersListUrls.params);

/** Docker manifest lists exist to select by platform, so every entry must say which one it is. */
const platformDescriptorSchema = z.object({ ...descriptorFields, platform }).refine(foreignLayersListUrls.check, foreignLayersListUrls.params);

const common = {
  schemaVersion: z.literal(2),
  subject: descriptorSchema.optional(),
  artifactType: mediaType.optional(),
  annotations: stringMap.optional(),
};

export const imageManifestSchema = z.object({
  ...common,
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
});

export const indexSchema = z.object({
  ...common,
  manifests: z.array(descriptorSchema),
});

export const manifestListSchema = z.object({
  ...common,
  manifests: z.array(platformDescriptorSchema),
});
