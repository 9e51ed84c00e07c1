import * as z from 'zod';

/** Input shapes shared by ECR actions, with ECR's documented constraints. */
export const RegistryId = z.string().regex(/^[0-9]{12}$/, "must satisfy regular expression '[0-9]{12}'");
export const RepositoryName = z
  .string()
  .min(2)
  .max(256)
  .regex(
    /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
    "must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'",
  );
export const MaxResults = (max: number) => z.number().int().min(1).max(max);
export const NextToken = z.string().min(1).max(2048);
export const ImageTag = z.string().min(1).max(300);
export const ImageDigest = z.string().min(1).max(1000);
export const ImageIdentifier = z.object({ imageDigest: ImageDigest.optional(), imageTag: ImageTag.optional() });
export const ImageIds = z.array(ImageIdentifier).min(1).max(100);
/** Lengths are checked with the other tag rules (checkTags), which answer InvalidTagParameterException as ECR does. */
export const Tag = z.object({ Key: z.string(), Value: z.string() });
export const TagList = z.array(Tag).max(200);
export const TagMutability = z.enum(['MUTABLE', 'IMMUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION']);
export const MutabilityFilters = z
  .array(
    z.object({
      filterType: z.literal('WILDCARD'),
      filter: z
        .string()
        .min(1)
        .max(128)
        .regex(/^[0-9a-zA-Z._*-]+$/, "must satisfy regular expression '^[0-9a-zA-Z._*-]{1,128}'"),
    }),
  )
  .min(1)
  .max(5);
export const LayerDigest = z.string().regex(/^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/, "must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'");
export const PolicyText = z.string().min(0).max(10240);
