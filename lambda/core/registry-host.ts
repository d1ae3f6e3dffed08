/**
 * The host names of a private ECR registry. One registry (an account in a region of a partition) answers
 * under several spellings: the IPv4 endpoint, FIPS, dual-stack and dual-stack FIPS, each in every
 * partition's DNS suffix, in any case, with or without the HTTPS port. A task that pulls through any of
 * them runs this registry's image.
 */

/** The registry that a host names. */
export interface RegistryIdentity {
  readonly account: string;
  readonly region: string;
  /** `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `aws-iso-e`, `aws-iso-f`, `aws-eusc`. */
  readonly partition: string;
}

/** The DNS suffixes of ECR's endpoints, and the partition each belongs to. */
const IPV4_SUFFIXES: Readonly<Record<string, string>> = {
  'amazonaws.com': 'aws',
  'amazonaws.com.cn': 'aws-cn',
  'c2s.ic.gov': 'aws-iso',
  'sc2s.sgov.gov': 'aws-iso-b',
  'cloud.adc-e.uk': 'aws-iso-e',
  'csp.hci.ic.gov': 'aws-iso-f',
  'amazonaws.eu': 'aws-eusc',
};
const DUAL_STACK_SUFFIXES: Readonly<Record<string, string>> = {
  'on.aws': 'aws',
  'on.amazonwebservices.com.cn': 'aws-cn',
};

/** `<account>.dkr.ecr[-fips].<region>.<suffix>` or `<account>.dkr-ecr[-fips].<region>.<suffix>`. */
const ECR_HOST = /^(\d{12})\.dkr(\.ecr|-ecr)(-fips)?\.([a-z]{2,4}(?:-[a-z]+)+-\d+)\.([a-z0-9.-]+?)(?::443)?$/;
/** Anything that starts like an ECR host: the account is what tells it is this registry's. */
const ECR_LIKE = /^(\d{12})\.dkr[.-]/;

/**
 * The registry that a host names, or undefined when it is not an ECR private registry host that ECR
 * accepts.
 */
export function parseRegistryHost(host: string): RegistryIdentity | undefined {
  const match = ECR_HOST.exec(host.trim().toLowerCase());
  if (!match) return undefined;
  const [, account, separator, , region, suffix] = match;
  const partition = (separator === '.ecr' ? IPV4_SUFFIXES : DUAL_STACK_SUFFIXES)[suffix];
  if (partition === undefined) return undefined;
  // GovCloud shares the commercial suffixes; its regions tell it apart.
  const refined = partition === 'aws' && region.startsWith('us-gov-') ? 'aws-us-gov' : partition;
  return { account, region, partition: refined };
}

/** The account that a host seems to name as an ECR registry, even when the host is not well-formed. */
export function ecrAccountOf(host: string): string | undefined {
  return ECR_LIKE.exec(host.trim().toLowerCase())?.[1];
}

export function sameRegistry(a: RegistryIdentity, b: RegistryIdentity): boolean {
  return a.account === b.account && a.region === b.region && a.partition === b.partition;
}
