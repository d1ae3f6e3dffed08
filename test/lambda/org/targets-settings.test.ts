import { parseTargetSettings, workloadOnlyAccounts } from '../../../lambda/org/targets-handler';

const VALID = { TARGET_ACCOUNTS: '111111111111,222222222222', TARGET_REGIONS: 'eu-west-1', MEMBER_ROLE_ARN_TEMPLATE: 'arn:aws:iam::{account}:role/ecr-maintainer-member' };

describe("the targets step's settings", () => {
  it('reads accounts, regions, units, the role template and the workload accounts', () => {
    expect(parseTargetSettings({ ...VALID, ORGANIZATIONAL_UNITS: 'ou-ab12-cdef3456, r-ab12', WORKLOAD_ACCOUNTS: '{"111111111111":["333333333333"]}' })).toEqual({
      accounts: ['111111111111', '222222222222'],
      regions: ['eu-west-1'],
      organizationalUnits: ['ou-ab12-cdef3456', 'r-ab12'],
      roleArnTemplate: VALID.MEMBER_ROLE_ARN_TEMPLATE,
      workloadAccounts: { '111111111111': ['333333333333'] },
    });
  });

  it('takes units alone, without listed accounts', () => {
    expect(parseTargetSettings({ ...VALID, TARGET_ACCOUNTS: '', ORGANIZATIONAL_UNITS: 'ou-ab12-cdef3456' }).accounts).toEqual([]);
  });

  it('names every problem at once, with the variable, the value and the fix', () => {
    expect(() =>
      parseTargetSettings({ TARGET_ACCOUNTS: '', TARGET_REGIONS: 'eu-west-1,moon', ORGANIZATIONAL_UNITS: 'sandbox', MEMBER_ROLE_ARN_TEMPLATE: 'arn:aws:iam::111111111111:role/x', WORKLOAD_ACCOUNTS: '{"111111111111":"333333333333"}' }),
    ).toThrow(
      [
        'invalid configuration:',
        '  TARGET_REGIONS: "moon" is not an AWS region such as eu-west-1',
        '  ORGANIZATIONAL_UNITS: "sandbox" is not an organisational unit ID (ou-…) or a root ID (r-…)',
        '  MEMBER_ROLE_ARN_TEMPLATE must be a role ARN with {account} for the account, such as arn:aws:iam::{account}:role/ecr-maintainer-member, got "arn:aws:iam::111111111111:role/x"',
        '  WORKLOAD_ACCOUNTS: "111111111111": "333333333333" must be a 12-digit registry account mapped to a list of 12-digit accounts, such as {"111111111111":["222222222222","333333333333"]}',
      ].join('\n'),
    );
    expect(() => parseTargetSettings({ ...VALID, TARGET_ACCOUNTS: '', TARGET_REGIONS: '' })).toThrow(/TARGET_REGIONS must name at least one region[\s\S]*set TARGET_ACCOUNTS or ORGANIZATIONAL_UNITS/);
  });
});

describe('workloadOnlyAccounts', () => {
  it('names the accounts that serve only as workload accounts, which an organisational unit does not make targets', () => {
    const settings = parseTargetSettings({ ...VALID, WORKLOAD_ACCOUNTS: '{"111111111111":["333333333333","222222222222"],"444444444444":["555555555555","111111111111"]}' });
    expect([...workloadOnlyAccounts(settings)].sort()).toEqual(['333333333333', '555555555555']);
    expect(workloadOnlyAccounts(parseTargetSettings(VALID)).size).toBe(0);
  });
});
