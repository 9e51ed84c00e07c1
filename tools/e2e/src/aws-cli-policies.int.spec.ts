import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ACCOUNT, expectServiceError, useAwsCliServer } from './aws-cli-harness';
import { describeWithClients } from './clients';

/**
 * The real AWS CLI v2 against the cargohold CLI: repository policies set, read and deleted
 * through `aws ecr`, the text handed back byte for byte.
 * The server, the CLI wrappers and the users come from aws-cli-harness.ts.
 */

jest.setTimeout(180_000);

describeWithClients(['aws'], 'AWS CLI v2 against cargohold', () => {
  const aws = useAwsCliServer();
  const { ecr, ecrError } = aws;

  describe('repository policies', () => {
    const name = 'team/policy';
    // Deliberately unusual formatting: ECR hands the policy text back exactly as it was given.
    const policyText = [
      '{',
      '    "Version" : "2012-10-17",',
      '    "Statement" : [ {',
      '        "Sid" : "AllowPull",',
      '        "Effect" : "Allow",',
      `        "Principal" : { "AWS" : "arn:aws:iam::${ACCOUNT}:root" },`,
      '        "Action" : [ "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]',
      '    } ]',
      '}',
    ].join('\n');

    beforeAll(async () => {
      await ecr(['create-repository', '--repository-name', name]);
    });

    it('get-repository-policy without a policy fails with RepositoryPolicyNotFoundException', async () => {
      expectServiceError(await ecrError(['get-repository-policy', '--repository-name', name]), 'RepositoryPolicyNotFoundException', 'GetRepositoryPolicy');
    });

    it('set-repository-policy then get-repository-policy returns the text byte for byte', async () => {
      const file = join(aws.work, 'policy.json');
      await writeFile(file, policyText);

      const set = await ecr(['set-repository-policy', '--repository-name', name, '--policy-text', `file://${file}`]);
      const got = await ecr(['get-repository-policy', '--repository-name', name]);

      expect(set).toEqual({ registryId: ACCOUNT, repositoryName: name, policyText });
      expect(got).toEqual({ registryId: ACCOUNT, repositoryName: name, policyText });
    });

    it('delete-repository-policy returns the deleted text, then the policy is gone', async () => {
      const deleted = await ecr(['delete-repository-policy', '--repository-name', name]);

      expect(deleted).toEqual({ registryId: ACCOUNT, repositoryName: name, policyText });
      expectServiceError(await ecrError(['get-repository-policy', '--repository-name', name]), 'RepositoryPolicyNotFoundException', 'GetRepositoryPolicy');
    });

    it.each([
      ['text that is not JSON', 'this is not a policy'],
      ['a statement with an invalid Effect', '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"ecr:*"}]}'],
      ['a document without statements', '{"Version":"2012-10-17"}'],
    ])('set-repository-policy with %s fails with InvalidParameterException', async (_, text) => {
      const error = await ecrError(['set-repository-policy', '--repository-name', name, '--policy-text', text]);

      expectServiceError(error, 'InvalidParameterException', 'SetRepositoryPolicy');
      expectServiceError(await ecrError(['get-repository-policy', '--repository-name', name]), 'RepositoryPolicyNotFoundException', 'GetRepositoryPolicy');
    });
  });
});
