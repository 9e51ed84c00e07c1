import { ECR_ACTIONS } from './actions';
import { AllowAllAuthorizer } from './authorizer';

describe('AllowAllAuthorizer', () => {
  it('allows every action, authenticated or not, as the anonymous principal', async () => {
    const authorizer = new AllowAllAuthorizer();
    for (const access of [...ECR_ACTIONS.map((action) => [{ action, repository: 'a/b' }]), []]) {
      await expect(authorizer.authorize({ registry: '000000000000:us-east-1', access })).resolves.toEqual({
        allowed: true,
        principal: { accountId: '000000000000', arn: '*' },
      });
    }
  });
});
