import { ecrAccountOf, parseRegistryHost, sameRegistry } from '../../../lambda/core/registry-host';

const THIS = { account: '123456789012', region: 'eu-west-2', partition: 'aws' };

describe('parseRegistryHost', () => {
  it.each([
    ['the IPv4 endpoint', '123456789012.dkr.ecr.eu-west-2.amazonaws.com', THIS],
    ['the FIPS endpoint', '123456789012.dkr.ecr-fips.eu-west-2.amazonaws.com', THIS],
    ['the dual-stack endpoint', '123456789012.dkr-ecr.eu-west-2.on.aws', THIS],
    ['the dual-stack FIPS endpoint', '123456789012.dkr-ecr-fips.eu-west-2.on.aws', THIS],
    ['upper case', '123456789012.DKR.ECR.EU-WEST-2.AMAZONAWS.COM', THIS],
    ['mixed case dual-stack', '123456789012.Dkr-Ecr.eu-west-2.On.Aws', THIS],
    ['an explicit :443', '123456789012.dkr.ecr.eu-west-2.amazonaws.com:443', THIS],
    ['dual-stack FIPS with :443', '123456789012.dkr-ecr-fips.eu-west-2.on.aws:443', THIS],
    ['the China partition', '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', { account: '123456789012', region: 'cn-north-1', partition: 'aws-cn' }],
    ['China dual-stack', '123456789012.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn', { account: '123456789012', region: 'cn-northwest-1', partition: 'aws-cn' }],
    ['GovCloud', '123456789012.dkr.ecr.us-gov-west-1.amazonaws.com', { account: '123456789012', region: 'us-gov-west-1', partition: 'aws-us-gov' }],
    ['GovCloud FIPS', '123456789012.dkr.ecr-fips.us-gov-east-1.amazonaws.com', { account: '123456789012', region: 'us-gov-east-1', partition: 'aws-us-gov' }],
    ['the European Sovereign Cloud', '123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu', { account: '123456789012', region: 'eusc-de-east-1', partition: 'aws-eusc' }],
    ['an ISO region', '123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov', { account: '123456789012', region: 'us-iso-east-1', partition: 'aws-iso' }],
  ])('reads %s', (_title, host, expected) => {
    expect(parseRegistryHost(host)).toEqual(expected);
  });

  it.each([
    ['public ECR', 'public.ecr.aws'],
    ['Docker Hub', 'docker.io'],
    ['a short account', '12345678901.dkr.ecr.eu-west-2.amazonaws.com'],
    ['another port', '123456789012.dkr.ecr.eu-west-2.amazonaws.com:5000'],
    ['a dual-stack host under the IPv4 suffix', '123456789012.dkr-ecr.eu-west-2.amazonaws.com'],
    ['an IPv4 host under the dual-stack suffix', '123456789012.dkr.ecr.eu-west-2.on.aws'],
    ['no region', '123456789012.dkr.ecr.amazonaws.com'],
    ['an unknown suffix', '123456789012.dkr.ecr.eu-west-2.example.com'],
  ])('refuses %s', (_title, host) => {
    expect(parseRegistryHost(host)).toBeUndefined();
  });
});

describe('ecrAccountOf', () => {
  it('finds the account of a host that only looks like ECR, so that a malformed one can fail closed', () => {
    expect(ecrAccountOf('123456789012.dkr.ecr.eu-west-2.amazonaws.com:5000')).toBe('123456789012');
    expect(ecrAccountOf('123456789012.DKR-ECR.somewhere')).toBe('123456789012');
    expect(ecrAccountOf('public.ecr.aws')).toBeUndefined();
  });
});

describe('sameRegistry', () => {
  it('needs the account, the region and the partition to agree', () => {
    expect(sameRegistry(THIS, { ...THIS })).toBe(true);
    expect(sameRegistry(THIS, { ...THIS, account: '210987654321' })).toBe(false);
    expect(sameRegistry(THIS, { ...THIS, region: 'eu-west-1' })).toBe(false);
    expect(sameRegistry(THIS, { ...THIS, partition: 'aws-cn' })).toBe(false);
  });
});
