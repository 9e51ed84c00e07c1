import { ACCOUNT, READER, expectServiceError, useAwsCliServer } from './aws-cli-harness';
import { describeWithClients } from './clients';
import { CommandFailedError } from './exec';

/**
 * The real AWS CLI v2 against the cargohold CLI: what the CLI prints for credentials the
 * server does not accept, and for a user whose policies do not allow the action.
 * The server, the CLI wrappers and the users come from aws-cli-harness.ts.
 */

jest.setTimeout(180_000);

describeWithClients(['aws'], 'AWS CLI v2 against cargohold', () => {
  const aws = useAwsCliServer();
  const { cli, ecr, ecrError } = aws;

  describe('credentials the server does not accept', () => {
    it('a wrong secret: InvalidSignatureException', async () => {
      const error = await ecrError(['describe-repositories'], { credentials: { accessKeyId: 'test', secretAccessKey: 'nope' } });

      expectServiceError(error, 'InvalidSignatureException', 'DescribeRepositories');
    });

    it('an unknown access key: UnrecognizedClientException', async () => {
      const error = await ecrError(['describe-repositories'], { credentials: { accessKeyId: 'AKIANOBODY', secretAccessKey: 'test' } });

      expectServiceError(error, 'UnrecognizedClientException', 'DescribeRepositories');
    });

    it('a user whose policies do not allow the action: AccessDeniedException naming the user and the action', async () => {
      const error = await ecrError(['create-repository', '--repository-name', 'reader/attempt'], { credentials: READER });

      expectServiceError(error, 'AccessDeniedException', 'CreateRepository');
      expect(error.stderr).toContain(`arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: ecr:CreateRepository`);
    });

    it('the same user may do what its policies allow', async () => {
      expect(await ecr(['describe-repositories'], { credentials: READER })).toEqual({ repositories: expect.any(Array) });
    });

    it('get-login-password with a wrong secret prints no password', async () => {
      const error = await cli(['ecr', 'get-login-password'], { credentials: { accessKeyId: 'test', secretAccessKey: 'nope' } }).then(
        () => undefined,
        (e: CommandFailedError) => e,
      );

      expect(error).toBeInstanceOf(CommandFailedError);
      expectServiceError(error as CommandFailedError, 'InvalidSignatureException', 'GetAuthorizationToken');
      expect((error as CommandFailedError).stdout).toBe('');
    });
  });
});
