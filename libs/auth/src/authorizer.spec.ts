import { ECR_ACTIONS } from './actions';
import { AllowAllAuthorizer } from './authorizer';

describe('AllowAllAuthorizer', () => {
  it('allows every action, authenticated or not, as the anonymous principal', async () => {
    const authorizer = new AllowAllAuthorizer();
    for (const action of [...ECR_ACTIONS, null]) {
      await expect(authorizer.authorize({ action, registry: '000000000000:us-east-1', repository: 'a/b' })).resolves.toEqual({
        allowed: true,
        principal: { accountId: '000000000000', arn: '*' },
      });
    }
  });
});
