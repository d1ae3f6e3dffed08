/**
 * One target's run, for both shells: assume the target's role (and each workload account's), build its
 * clients in its region, and run the usual cleanup there. The audit trail, STS and the Slack token stay
 * the caller's own.
 */
import { ApiCalls } from './aws/api-calls';
import { assumeRole, AssumeRoleFailedError, type AwsCredentialIdentityProvider } from './aws/assume-role';
import { createTargetClients, type AwsClients } from './aws/clients';
import { runCleanup, type CleanerDeps, type RunOptions, type RunOutcome, type WorkloadPlaceClients } from './cleaner';
import type { Config } from './config';
import type { Target } from './core/targets';

/**
 * The roles assumed in one fan-out, each once: a role's credentials serve every region of its account,
 * and a role that was refused is not asked again in the same fan-out.
 */
export class RoleSessions {
  private readonly sessions = new Map<string, Promise<AwsCredentialIdentityProvider>>();
  private readonly calls: ApiCalls;
  private readonly externalId: string | undefined;

  constructor(
    private readonly aws: Pick<AwsClients, 'sts'>,
    config: Pick<Config, 'awsMaxAttempts' | 'memberExternalId'>,
  ) {
    this.calls = new ApiCalls(4, { maxAttempts: config.awsMaxAttempts });
    this.externalId = config.memberExternalId;
  }

  /** @throws AssumeRoleFailedError */
  credentials(roleArn: string): Promise<AwsCredentialIdentityProvider> {
    let session = this.sessions.get(roleArn);
    if (!session) {
      session = assumeRole(this.aws.sts, this.calls, roleArn, this.externalId);
      this.sessions.set(roleArn, session);
    }
    return session;
  }

  /** The AssumeRole calls made so far, by outcome. */
  stats(): ReturnType<ApiCalls['stats']> {
    return this.calls.stats();
  }
}

/**
 * Cleans one target.
 *
 * @param own the caller's clients (S3, STS, Secrets Manager are used from these)
 * @throws AssumeRoleFailedError when the target's own role cannot be assumed: nothing of it can be read.
 *   A workload account whose role cannot be assumed does not throw: its reason becomes an in-use problem,
 *   so the run lists and plans, and deletes nothing.
 */
/**
 * Where else workloads may pull the target's images: its own account in the fan-out's other regions
 * (through the target's own credentials: no `roleArn`), and each workload account in every region.
 */
export function workloadPlaces(target: Target): { readonly account?: string; readonly region: string; readonly roleArn?: string }[] {
  const regions = [...new Set([target.region, ...(target.workloadRegions ?? [])])];
  return [
    ...regions.filter((region) => region !== target.region).map((region) => ({ region })),
    ...(target.workloadAccounts ?? []).flatMap(({ account, roleArn }) => regions.map((region) => ({ account, region, roleArn }))),
  ];
}

export async function runTarget(
  own: Omit<CleanerDeps, 'workloads'>,
  sessions: RoleSessions,
  target: Target,
  config: Config,
  options: RunOptions,
): Promise<RunOutcome> {
  const credentials = target.roleArn === undefined ? undefined : await sessions.credentials(target.roleArn);
  const workloads = await Promise.all(
    workloadPlaces(target).map(async ({ account, region, roleArn }): Promise<WorkloadPlaceClients> => {
      const place = { ...(account !== undefined && { account }), ...(region !== target.region && { region }) };
      try {
        const { ecs, events, scheduler, lambda } = createTargetClients(region, roleArn === undefined ? credentials : await sessions.credentials(roleArn));
        return { ...place, aws: { ecs, events, scheduler, lambda } };
      } catch (error) {
        if (!(error instanceof AssumeRoleFailedError)) throw error;
        return { ...place, error: error.message };
      }
    }),
  );
  const deps: CleanerDeps = {
    ...own,
    aws: { ...own.aws, ...createTargetClients(target.region, credentials) },
    ...(workloads.length > 0 && { workloads }),
  };
  return runCleanup(deps, { ...config, region: target.region }, { ...options, account: target.account });
}
