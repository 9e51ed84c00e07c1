/**
 * A lifecycle policy ECR would refuse. The message is the wording of ECR's
 * InvalidParameterException for that fault, so the API layer can pass it through unchanged.
 */
export class LifecyclePolicyError extends Error {
  override readonly name = 'LifecyclePolicyError';
}
