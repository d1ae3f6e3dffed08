import { auditKeys, parseAuditUri } from '../../../lambda/core/audit';

describe('parseAuditUri', () => {
  it.each([
    ['s3://audit', { bucket: 'audit', prefix: '' }],
    ['s3://audit/', { bucket: 'audit', prefix: '' }],
    ['s3://audit/ecr', { bucket: 'audit', prefix: 'ecr/' }],
    ['s3://audit/teams/platform/', { bucket: 'audit', prefix: 'teams/platform/' }],
  ])('reads %s', (uri, expected) => {
    expect(parseAuditUri(uri)).toEqual(expected);
  });

  it.each([
    ['audit', 'it must start with s3://'],
    ['s3://Audit', '"Audit" is not a valid bucket name (3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)'],
    ['s3://audit/ecr*/', 'the key "ecr*/x" has "*", "?" or "${", which a policy would read as a wildcard or a variable'],
  ])('says why %s is not a bucket and prefix', (uri, problem) => {
    expect(parseAuditUri(uri)).toEqual({ problem });
  });
});

describe('auditKeys', () => {
  it('dates the objects by the run\'s start in UTC, under the account and region, and names the mode', () => {
    const report = { account: '123456789012', region: 'eu-west-2', startedAt: '2026-11-26T03:00:07.123Z', mode: 'delete' as const };

    expect(auditKeys({ bucket: 'audit', prefix: 'ecr/' }, report)).toEqual({
      csv: 's3://audit/ecr/runs/123456789012/eu-west-2/2026-11-26/030007.123-delete.csv',
      plan: 's3://audit/ecr/runs/123456789012/eu-west-2/2026-11-26/030007.123-delete.jsonl',
      html: 's3://audit/ecr/runs/123456789012/eu-west-2/2026-11-26/030007.123-delete.html',
    });
  });
});
