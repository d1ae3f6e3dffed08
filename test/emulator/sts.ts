/**
 * AWS STS's GetCallerIdentity and AssumeRole, over the AWS query protocol that `@aws-sdk/client-sts`
 * speaks: a form-encoded `POST /` (`Action=AssumeRole&Version=2011-06-15&RoleArn=…`), answered in XML.
 * Errors are `<ErrorResponse><Error><Type/><Code/><Message/></Error></ErrorResponse>`.
 *
 * AssumeRole checks its parameters as the STS model constrains them (ValidationError, every problem in
 * one message), then the role's trust as the fixture describes it (AccessDenied, 403), and hands out
 * temporary credentials whose access key the emulator then serves as the role's account.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AwsError, type Params } from './protocol';
import type { Fixture, FixtureRole } from './fixture';

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** The access key ID of the primary account's credentials, as `Emulator.env()` sets it. */
export const DEFAULT_ACCESS_KEY = 'emulator';

/** The errors STS answers for credentials it does not accept, with their HTTP status and message. */
const CREDENTIAL_ERRORS: Readonly<Record<string, { status: number; message: string }>> = {
  InvalidClientTokenId: { status: 403, message: 'The security token included in the request is invalid.' },
  ExpiredToken: { status: 403, message: 'The security token included in the request is expired' },
};

/** The code that the other services answer for an access key they do not know, and its message. */
export const UNRECOGNIZED_CLIENT = 'UnrecognizedClientException';
export const UNRECOGNIZED_MESSAGE = 'The security token included in the request is invalid.';

/** The limits of AssumeRole's parameters in the STS model (`arnType`, `roleSessionNameType`, …). */
const LIMITS = {
  roleArn: { min: 20, max: 2048 },
  roleSessionName: { min: 2, max: 64, pattern: /^[\w+=,.@-]*$/, source: '[\\w+=,.@-]*' },
  externalId: { min: 2, max: 1224, pattern: /^[\w+=,.@:/-]*$/, source: '[\\w+=,.@:\\/-]*' },
  durationSeconds: { min: 900, max: 43_200 },
} as const;
/** AssumeRole's DurationSeconds when the call does not give one. */
const DEFAULT_DURATION_SECONDS = 3600;
/** A role's MaxSessionDuration when IAM is not told otherwise, and the cap on a chained role's session. */
const DEFAULT_MAX_SESSION_SECONDS = 3600;
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/;

/** Temporary credentials that AssumeRole handed out, and whom they stand for. */
export interface Session {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  /** The role's account: the account that calls signed with these credentials are served as. */
  readonly account: string;
  readonly roleArn: string;
  /** `arn:aws:sts::<account>:assumed-role/<role name>/<session name>`. */
  readonly arn: string;
  /** `<role ID>:<session name>`. */
  readonly assumedRoleId: string;
}

export class Sts {
  private readonly identity: NonNullable<Fixture['callerIdentity']>;
  private readonly roles: ReadonlyMap<string, FixtureRole>;
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly accountId: string,
    fixture: Fixture,
  ) {
    this.identity = fixture.callerIdentity ?? {};
    for (const role of fixture.roles ?? []) {
      if (!ROLE_ARN.test(role.arn)) throw new Error(`fixture: roles: "${role.arn}" is not a role ARN (arn:aws:iam::<12 digits>:role/<name>)`);
    }
    this.roles = new Map((fixture.roles ?? []).map((role) => [role.arn, role]));
  }

  /** The credentials that AssumeRole handed out with this access key ID, if any. */
  sessionOf(accessKeyId: string): Session | undefined {
    return this.sessions.get(accessKeyId);
  }

  /**
   * The XML body of a successful answer to `caller`: a session's credentials, or the primary account's
   * (undefined).
   */
  handle(operation: string, params: Params, caller?: Session): string {
    if (params.Version !== '2011-06-15') throw new AwsError('InvalidAction', `Could not find operation ${operation} for version ${String(params.Version)}`);
    if (operation !== 'GetCallerIdentity' && operation !== 'AssumeRole') throw new AwsError('InvalidAction', `Could not find operation ${operation} for version 2011-06-15`);
    if (!caller && this.identity.error) {
      const { status, message } = CREDENTIAL_ERRORS[this.identity.error];
      throw new AwsError(this.identity.error, message, status);
    }
    return operation === 'AssumeRole' ? this.assumeRole(params, caller) : this.getCallerIdentity(caller);
  }

  private getCallerIdentity(caller: Session | undefined): string {
    const account = caller?.account ?? this.identity.account ?? this.accountId;
    const arn = caller?.arn ?? this.callerArn();
    const userId = caller?.assumedRoleId ?? 'AROAEMULATOR000000000:cleaner';
    return response('GetCallerIdentity', [`<Arn>${escapeXml(arn)}</Arn>`, `<UserId>${escapeXml(userId)}</UserId>`, `<Account>${escapeXml(account)}</Account>`]);
  }

  /** The ARN of the primary account's caller. */
  private callerArn(): string {
    return this.identity.arn ?? `arn:aws:sts::${this.identity.account ?? this.accountId}:assumed-role/ecr-maintainer/cleaner`;
  }

  private assumeRole(params: Params, caller: Session | undefined): string {
    const problems = assumeRoleProblems(params);
    if (problems.length > 0) throw validationError(problems);
    const roleArn = String(params.RoleArn);
    const sessionName = String(params.RoleSessionName);
    const role = this.roles.get(roleArn);
    if (!role || role.deny || (role.externalId !== undefined && role.externalId !== params.ExternalId)) {
      throw new AwsError('AccessDenied', `User: ${caller?.arn ?? this.callerArn()} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
    }
    const duration = params.DurationSeconds === undefined ? DEFAULT_DURATION_SECONDS : Number(params.DurationSeconds);
    if (caller && duration > DEFAULT_MAX_SESSION_SECONDS) {
      throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    }
    if (duration > (role.maxSessionDurationSeconds ?? DEFAULT_MAX_SESSION_SECONDS)) {
      throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    }
    const session = this.issue(roleArn, sessionName, duration);
    return response('AssumeRole', [
      '<AssumedRoleUser>',
      `<AssumedRoleId>${escapeXml(session.assumedRoleId)}</AssumedRoleId>`,
      `<Arn>${escapeXml(session.arn)}</Arn>`,
      '</AssumedRoleUser>',
      '<Credentials>',
      `<AccessKeyId>${session.accessKeyId}</AccessKeyId>`,
      `<SecretAccessKey>${session.secretAccessKey}</SecretAccessKey>`,
      `<SessionToken>${session.sessionToken}</SessionToken>`,
      `<Expiration>${session.expiration.toISOString()}</Expiration>`,
      '</Credentials>',
    ]);
  }

  /** New credentials for a role, valid for `durationSeconds` from now (the real clock, which the SDK checks them by). */
  private issue(roleArn: string, sessionName: string, durationSeconds: number): Session {
    const [, account, roleName] = ROLE_ARN.exec(roleArn) ?? [];
    const session: Session = {
      accessKeyId: `ASIA${randomId(16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `FwoGZXIvYXdzE${randomBytes(96).toString('base64')}`,
      expiration: new Date(Math.floor(Date.now() / 1000) * 1000 + durationSeconds * 1000),
      account,
      roleArn,
      arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
      assumedRoleId: `${roleId(roleArn)}:${sessionName}`,
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }

  /**
   * An error as the query protocol sends it. `Throttling` is STS's own throttling code, and an access
   * key that the emulator does not know is `InvalidClientTokenId`.
   */
  static errorXml(error: AwsError): { status: number; code: string; body: string } {
    const code =
      error.code === 'ThrottlingException'
        ? 'Throttling'
        : error.code === 'AccessDeniedException'
          ? 'AccessDenied'
          : error.code === UNRECOGNIZED_CLIENT
            ? 'InvalidClientTokenId'
            : error.code;
    const status = code === 'AccessDenied' || code === 'InvalidClientTokenId' ? 403 : error.status;
    const type = status >= 500 ? 'Receiver' : 'Sender';
    return {
      status,
      code,
      body: `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>emulator</RequestId></ErrorResponse>`,
    };
  }
}

/**
 * What is wrong with AssumeRole's parameters by the STS model, in the words STS uses: "Value '…' at
 * 'roleSessionName' failed to satisfy constraint: Member must …". Empty when nothing is.
 */
export function assumeRoleProblems(params: Params): string[] {
  const problems: string[] = [];
  const textField = (name: 'RoleArn' | 'RoleSessionName' | 'ExternalId', required: boolean): void => {
    const member = name[0].toLowerCase() + name.slice(1);
    const value = params[name];
    if (typeof value !== 'string') {
      if (required) problems.push(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
      return;
    }
    const limits = LIMITS[member as keyof typeof LIMITS] as { min: number; max: number; pattern?: RegExp; source?: string };
    const text = value;
    if (text.length < limits.min) problems.push(`Value '${text}' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${limits.min}`);
    if (text.length > limits.max) problems.push(`Value '${text}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${limits.max}`);
    if (limits.pattern && !limits.pattern.test(text)) problems.push(`Value '${text}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${limits.source}`);
  };
  textField('RoleArn', true);
  textField('RoleSessionName', true);
  if (params.DurationSeconds !== undefined) {
    const given = typeof params.DurationSeconds === 'string' || typeof params.DurationSeconds === 'number' ? String(params.DurationSeconds) : '';
    const seconds = Number(given);
    const { min, max } = LIMITS.durationSeconds;
    if (!Number.isInteger(seconds)) problems.push(`Value '${given}' at 'durationSeconds' failed to satisfy constraint: Member must be a whole number`);
    else if (seconds < min) problems.push(`Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
    else if (seconds > max) problems.push(`Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
  }
  textField('ExternalId', false);
  return problems;
}

/** STS's ValidationError: "1 validation error detected: …", or "2 validation errors detected: …; …". */
function validationError(problems: readonly string[]): AwsError {
  return new AwsError('ValidationError', `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
}

/** A query-protocol answer: `<OpResponse><OpResult>…</OpResult><ResponseMetadata/></OpResponse>`. */
function response(operation: string, result: readonly string[]): string {
  return [
    `<${operation}Response xmlns="${NAMESPACE}">`,
    `<${operation}Result>`,
    ...result,
    `</${operation}Result>`,
    '<ResponseMetadata><RequestId>emulator</RequestId></ResponseMetadata>',
    `</${operation}Response>`,
  ].join('');
}

/** A role's unique ID, as IAM gives one (`AROA` and 17 characters), the same for the same ARN. */
function roleId(roleArn: string): string {
  return `AROA${createHash('sha256').update(roleArn).digest('hex').slice(0, 17).toUpperCase()}`;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomId(length: number): string {
  return [...randomBytes(length)].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
