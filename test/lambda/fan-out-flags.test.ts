import { DEFAULT_CONCURRENT_TARGETS, parseFanOutFlags, resolveFanOut } from '../../lambda/fan-out-flags';

const CALLER = { account: '111111111111', arn: 'arn:aws:sts::111111111111:assumed-role/admin/me' };

describe('parseFanOutFlags', () => {
  it('reads the accounts, regions, role and workload accounts, and resolves what they leave out', () => {
    const request = parseFanOutFlags({ accounts: '222222222222, 333333333333', regions: 'eu-west-1,us-east-1', roleName: 'ecr-maintainer-member', workloadAccounts: '444444444444,222222222222=555555555555' });
    expect(request).toEqual({
      accounts: ['222222222222', '333333333333'],
      regions: ['eu-west-1', 'us-east-1'],
      role: { name: 'ecr-maintainer-member' },
      workloadAccounts: { '*': ['444444444444'], '222222222222': ['555555555555'] },
      concurrency: DEFAULT_CONCURRENT_TARGETS,
    });
    if ('problems' in request) throw new Error('unexpected');
    expect(resolveFanOut(request, { ...CALLER, arn: 'arn:aws-us-gov:sts::111111111111:assumed-role/admin/me' }, 'eu-west-2')).toMatchObject({
      roleArnTemplate: 'arn:aws-us-gov:iam::{account}:role/ecr-maintainer-member',
      workloadRoleArnTemplate: 'arn:aws-us-gov:iam::{account}:role/ecr-maintainer-member',
    });
  });

  it("cleans the caller's own account in the configured region without a role when no fan-out flag is given", () => {
    const request = parseFanOutFlags({});
    if ('problems' in request) throw new Error('unexpected');
    expect(resolveFanOut(request, CALLER, 'eu-west-2')).toEqual({ accounts: ['111111111111'], regions: ['eu-west-2'] });
  });

  it('reads the caller own account with its own credentials, and only the workload accounts through the role', () => {
    const request = parseFanOutFlags({ workloadAccounts: '444444444444', roleArnTemplate: 'arn:aws:iam::{account}:role/reader' });
    if ('problems' in request) throw new Error('unexpected');
    expect(resolveFanOut(request, CALLER, 'eu-west-2')).toEqual({ accounts: ['111111111111'], regions: ['eu-west-2'], workloadAccounts: { '*': ['444444444444'] }, workloadRoleArnTemplate: 'arn:aws:iam::{account}:role/reader' });
  });

  it.each([
    [{ accounts: '222222222222', roleName: 'a', roleArnTemplate: 'arn:aws:iam::{account}:role/a' }, 'give --role-name or --role-arn-template, not both'],
    [{ accounts: '222222222222', roleName: 'bad name' }, '--role-name must be an IAM role name'],
    [{ regions: '' }, '--regions needs a list, such as eu-west-1,us-east-1; got ""'],
    [{ maxConcurrentTargets: '0' }, '--max-concurrent-targets must be a whole number from 1 to 64, got "0"'],
    [{ workloadAccounts: '111111111111=22', roleName: 'r' }, '--workload-accounts: "111111111111=22" is not a 12-digit account ID, or REGISTRY=WORKLOAD'],
    [{ regions: 'eu-west-1,eu-west-2', earlierPlan: 'plan.jsonl' }, '--earlier-plan holds the plan of one account and region'],
  ])('refuses %j', (flags, problem) => {
    const parsed = parseFanOutFlags(flags);
    expect('problems' in parsed ? parsed.problems.join('\n') : '').toContain(problem);
  });
});
