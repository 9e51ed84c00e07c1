/**
 * The ECR IAM actions a request can need. Every `/v2/` route names one of these, so that the same IAM
 * policies govern the Docker Registry API and the ECR API, as they do on AWS.
 */
export const ECR_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchDeleteImage',
  'ecr:BatchGetImage',
  // A pull that fills a pull-through cache also imports the image, and creates the repository on first pull.
  'ecr:BatchImportUpstreamImage',
  'ecr:CreateRepository',
  'ecr:CompleteLayerUpload',
  'ecr:DescribeRepositories',
  'ecr:GetAuthorizationToken',
  'ecr:GetDownloadUrlForLayer',
  'ecr:InitiateLayerUpload',
  'ecr:ListImages',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
] as const;

export type EcrAction = (typeof ECR_ACTIONS)[number];
