import { expandTargets, failedTarget, parseTarget, RESULT_ERROR_LENGTH, RESULT_ERRORS, roleArnFor, roleArnTemplate, targetResult } from '../../../lambda/core/targets';
import { runReport } from '../../support/report';

const ROLE = (account: string): string => `arn:aws:iam::${account}:role/ecr-maintainer-member`;

describe('expandTargets', () => {
  it('makes a target of every account in every region, account by account, each once', () => {
    const targets = expandTargets({ accounts: ['111111111111', '222222222222', '111111111111'], regions: ['eu-west-1', 'us-east-1'], roleArnTemplate: roleArnTemplate('ecr-maintainer-member') });
    expect(targets.map((target) => `${target.account}/${target.region}`)).toEqual(['111111111111/eu-west-1', '111111111111/us-east-1', '222222222222/eu-west-1', '222222222222/us-east-1']);
    expect(targets[2].roleArn).toBe(ROLE('222222222222'));
  });

  it('gives each registry its workload accounts, never itself, those for all (*) and its own', () => {
    const all = expandTargets({ accounts: ['111111111111', '222222222222'], regions: ['eu-west-1'], roleArnTemplate: roleArnTemplate('r'), workloadAccounts: { '*': ['222222222222', '333333333333'] } });
    expect(all.map((target) => target.workloadAccounts?.map((workload) => workload.account))).toEqual([['222222222222', '333333333333'], ['333333333333']]);
    const mapped = expandTargets({ accounts: ['111111111111', '222222222222'], regions: ['eu-west-1'], roleArnTemplate: roleArnTemplate('r'), workloadAccounts: { '111111111111': ['333333333333'] } });
    expect(mapped[0].workloadAccounts).toEqual([{ account: '333333333333', roleArn: 'arn:aws:iam::333333333333:role/r' }]);
    expect(mapped[1]).not.toHaveProperty('workloadAccounts');
  });

  it('reads the caller own account without a role, and its workload accounts through their role', () => {
    const [target] = expandTargets({ accounts: ['111111111111'], regions: ['eu-west-2'], workloadAccounts: { '*': ['333333333333'] }, workloadRoleArnTemplate: 'arn:aws-cn:iam::{account}:role/x' });
    expect(target).toEqual({ account: '111111111111', region: 'eu-west-2', workloadAccounts: [{ account: '333333333333', roleArn: 'arn:aws-cn:iam::333333333333:role/x' }] });
  });

  it('refuses workload accounts without a role to read them through', () => {
    expect(() => expandTargets({ accounts: ['111111111111'], regions: ['eu-west-2'], workloadAccounts: { '*': ['333333333333'] } })).toThrow('give a role ARN template');
  });
});

describe('parseTarget', () => {
  it('takes a target as the state machine sends it', () => {
    const event = { account: '111111111111', region: 'eu-west-1', roleArn: ROLE('111111111111'), workloadAccounts: [{ account: '222222222222', roleArn: ROLE('222222222222') }] };
    expect(parseTarget(event)).toEqual(event);
  });

  it.each([
    [null, 'a target must be an object such as'],
    [{ account: '1', region: 'eu-west-1' }, 'account must be a 12-digit account ID, got "1"'],
    [{ account: '111111111111', region: 'Europe' }, 'region must be an AWS region such as eu-west-1, got "Europe"'],
    [{ account: '111111111111', region: 'eu-west-1', roleArn: 'ecr-maintainer-member' }, 'roleArn must be an IAM role ARN such as'],
    [{ account: '111111111111', region: 'eu-west-1', roleArn: ROLE('222222222222') }, "is in account 222222222222, not in the target's account 111111111111"],
    [{ account: '111111111111', region: 'eu-west-1', workloadAccounts: ['222222222222'] }, 'workloadAccounts[0] must be { account: a 12-digit account ID, roleArn: a role in that account }'],
    [{ account: '111111111111', region: 'eu-west-1', acount: 'x' }, 'a target has no field "acount"'],
  ])('refuses %j, saying why', (event, problem) => {
    const parsed = parseTarget(event);
    expect('problems' in parsed && parsed.problems.some((text) => text.includes(problem))).toBe(true);
  });
});

describe('results', () => {
  it('carries the counts of a run and the first errors, shortened, so that it stays small', () => {
    const long = 'x'.repeat(1_000);
    const report = runReport({ account: '111111111111', errors: Array.from({ length: 9 }, (_, n) => ({ kind: 'delete', message: `${n}: ${long}` })) });
    const result = targetResult(report, false);
    expect(result).toMatchObject({ account: '111111111111', region: report.region, ok: false, mode: report.mode, errorCount: 9 });
    expect(result.errors).toHaveLength(RESULT_ERRORS);
    expect(result.errors.every((error) => error.length === RESULT_ERROR_LENGTH && error.endsWith('…'))).toBe(true);
    expect(result.totals).toEqual(expect.objectContaining({ images: report.totals.images, toDelete: report.totals.toDelete, bytesReclaimable: report.totals.reclaimableBytes }));
    expect(JSON.stringify(result).length).toBeLessThan(1_200);
  });

  it('says why a target did not run', () => {
    expect(failedTarget({ account: '111111111111', region: 'eu-west-1' }, 'could not assume it')).toEqual({ account: '111111111111', region: 'eu-west-1', ok: false, errorCount: 1, errors: ['could not assume it'] });
  });

  it('fills a role ARN template', () => {
    expect(roleArnFor('arn:aws:iam::{account}:role/{account}-cleaner', '111111111111')).toBe('arn:aws:iam::111111111111:role/111111111111-cleaner');
  });
});
