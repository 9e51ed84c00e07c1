/** The maximum length of lifecycle policy text ECR accepts (PutLifecyclePolicy `lifecyclePolicyText`). */
export const MAX_LIFECYCLE_POLICY_LENGTH = 30_720;

/**
 * A lifecycle policy ECR would refuse. `message` is ECR's whole InvalidParameterException text for
 * PutLifecyclePolicy and StartLifecyclePolicyPreview; `reason` is the part after
 * "Lifecycle policy validation failure: ", so another parameter (a repository creation template's
 * `lifecyclePolicy`) can be framed the same way.
 *
 * ECR validates the text against a JSON schema first (messages in the wording of its schema
 * validator: "object has missing required properties ([\"rules\"])", "instance failed to match exactly
 * one schema (matched 0 out of 2)", …) and then the rules as a set ("Only one rule can select Untagged
 * images per storage class."). Wording seen in ECR responses is used where public reports quote it;
 * the rest follows the same style.
 */
export class LifecyclePolicyError extends Error {
  override readonly name = 'LifecyclePolicyError';

  constructor(
    readonly reason: string,
    options?: { cause?: unknown; parameter?: string },
  ) {
    super(frame(options?.parameter ?? 'LifecyclePolicyText', `Lifecycle policy validation failure: ${reason}`), options);
  }

  /** The same fault, reported against another request parameter. */
  forParameter(parameter: string): string {
    return frame(parameter, `Lifecycle policy validation failure: ${this.reason}`);
  }
}

/** Text longer than ECR's limit: the request model's constraint, worded as ECR words such constraints. */
export class LifecyclePolicyTooLongError extends LifecyclePolicyError {
  constructor(length: number) {
    super(`policy is ${length} characters; the maximum is ${MAX_LIFECYCLE_POLICY_LENGTH}`);
    this.message = this.forParameter('LifecyclePolicyText');
  }

  override forParameter(parameter: string): string {
    return frame(parameter, `Member must have length less than or equal to ${MAX_LIFECYCLE_POLICY_LENGTH}`);
  }
}

function frame(parameter: string, constraint: string): string {
  return `Invalid parameter at '${parameter}' failed to satisfy constraint: '${constraint}'`;
}
