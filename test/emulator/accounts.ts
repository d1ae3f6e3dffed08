/**
 * Accounts and regions: where a request is served. Each account in each region has its own ECR, ECS,
 * EventBridge, EventBridge Scheduler, Lambda and Secrets Manager; S3 and Slack are one for all. The
 * account follows from the request's access key, and the region from its SigV4 credential scope.
 */
import type { IncomingMessage } from 'node:http';
import { Ecr } from './ecr';
import { Ecs } from './ecs';
import { Events } from './events';
import type { AccountFixture, Faults, Fixture } from './fixture';
import { Lambda } from './lambda';
import { Scheduler } from './scheduler';
import { Secrets } from './secrets';

/** An account and a region: where a call is served. */
export interface Place {
  readonly account: string;
  readonly region: string;
}

/** The services of one account in one region. */
export interface AccountServices {
  readonly ecr: Ecr;
  readonly ecs: Ecs;
  readonly events: Events;
  readonly scheduler: Scheduler;
  readonly lambda: Lambda;
  readonly secrets: Secrets;
}

/** The per-account parts of a fixture, as the services read them. */
export type AccountPart = Omit<AccountFixture, 'accountId' | 'region'>;

/** What a request was signed with: `Credential=<AccessKeyId>/<date>/<region>/<service>/aws4_request`. */
export interface SigV4Credential {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
  /** `X-Amz-Security-Token`: the session token of temporary credentials. */
  readonly sessionToken?: string;
}

const ACCOUNT_ID = /^\d{12}$/;

/** The map key of a place. */
export function placeKey(place: Place): string {
  return `${place.account}/${place.region}`;
}

/** Builds the services of one account and region from its part of a fixture (empty when it has none). */
export function createAccountServices(place: Place, part: AccountPart, now: Date, faults: () => Faults): AccountServices {
  const { account, region } = place;
  const fixture: Fixture = { ...part, repositories: part.repositories ?? [] };
  return {
    ecr: new Ecr(account, region, fixture, now, faults),
    ecs: new Ecs(account, region, fixture, now),
    events: new Events(account, region, fixture),
    scheduler: new Scheduler(account, region, fixture, now),
    lambda: new Lambda(account, region, fixture),
    secrets: new Secrets(account, region, fixture.secrets ?? {}),
  };
}

/**
 * Checks `Fixture.accounts`: each names a 12-digit account and a region, once, and none is the primary
 * account in its own region (whose resources are the fixture's top-level fields). Throws on the first
 * problem, naming the entry.
 */
export function checkAccountFixtures(accounts: readonly AccountFixture[], primary: Place): void {
  const seen = new Set<string>([placeKey(primary)]);
  accounts.forEach((entry, position) => {
    const where = `fixture: accounts[${position}] (${entry.accountId} in ${entry.region})`;
    if (!ACCOUNT_ID.test(entry.accountId)) throw new Error(`${where}: accountId must be 12 digits`);
    if (typeof entry.region !== 'string' || entry.region === '') throw new Error(`${where}: region is required`);
    const key = placeKey({ account: entry.accountId, region: entry.region });
    if (key === placeKey(primary)) throw new Error(`${where}: is the primary account and region; give its resources in the fixture's top-level fields`);
    if (seen.has(key)) throw new Error(`${where}: names this account and region a second time`);
    seen.add(key);
  });
}

/**
 * The SigV4 credential of a request, from its `Authorization` header or, for a presigned URL, its
 * `X-Amz-Credential` query parameter; undefined for an unsigned request.
 */
export function credentialOf(request: IncomingMessage): SigV4Credential | undefined {
  const query = new URL(request.url ?? '/', 'http://emulator').searchParams;
  const signed = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(request.headers.authorization ?? ''));
  const presigned = query.get('X-Amz-Credential')?.split('/');
  const [accessKeyId, region, service] = signed ? signed.slice(1) : presigned?.length === 5 ? [presigned[0], presigned[2], presigned[3]] : [];
  if (accessKeyId === undefined || region === undefined || service === undefined) return undefined;
  const token = request.headers['x-amz-security-token'] ?? query.get('X-Amz-Security-Token') ?? undefined;
  return { accessKeyId, region, service, ...(typeof token === 'string' && { sessionToken: token }) };
}
