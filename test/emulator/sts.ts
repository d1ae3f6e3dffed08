/**
 * AWS STS's GetCallerIdentity, over the AWS query protocol that `@aws-sdk/client-sts` speaks: a
 * form-encoded `POST /` (`Action=GetCallerIdentity&Version=2011-06-15`), answered in XML. Errors are
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error></ErrorResponse>`.
 */
import { AwsError, type Params } from './protocol';
import type { Fixture } from './fixture';

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** The errors STS answers for credentials it does not accept, with their HTTP status and message. */
const CREDENTIAL_ERRORS: Readonly<Record<string, { status: number; message: string }>> = {
  InvalidClientTokenId: { status: 403, message: 'The security token included in the request is invalid.' },
  ExpiredToken: { status: 403, message: 'The security token included in the request is expired' },
};

export class Sts {
  private readonly identity: NonNullable<Fixture['callerIdentity']>;

  constructor(
    private readonly accountId: string,
    fixture: Fixture,
  ) {
    this.identity = fixture.callerIdentity ?? {};
  }

  /** The XML body of a successful answer. */
  handle(operation: string, params: Params): string {
    if (params.Version !== '2011-06-15') throw new AwsError('InvalidAction', `Could not find operation ${operation} for version ${String(params.Version)}`);
    if (operation !== 'GetCallerIdentity') throw new AwsError('InvalidAction', `Could not find operation ${operation} for version 2011-06-15`);
    if (this.identity.error) {
      const { status, message } = CREDENTIAL_ERRORS[this.identity.error];
      throw new AwsError(this.identity.error, message, status);
    }
    const account = this.identity.account ?? this.accountId;
    const arn = this.identity.arn ?? `arn:aws:sts::${account}:assumed-role/ecr-maintainer/cleaner`;
    return [
      `<GetCallerIdentityResponse xmlns="${NAMESPACE}">`,
      '<GetCallerIdentityResult>',
      `<Arn>${escapeXml(arn)}</Arn>`,
      '<UserId>AROAEMULATOR000000000:cleaner</UserId>',
      `<Account>${escapeXml(account)}</Account>`,
      '</GetCallerIdentityResult>',
      '<ResponseMetadata><RequestId>emulator</RequestId></ResponseMetadata>',
      '</GetCallerIdentityResponse>',
    ].join('');
  }

  /** An error as the query protocol sends it. `Throttling` is STS's own throttling code. */
  static errorXml(error: AwsError): { status: number; code: string; body: string } {
    const code = error.code === 'ThrottlingException' ? 'Throttling' : error.code === 'AccessDeniedException' ? 'AccessDenied' : error.code;
    const status = code === 'AccessDenied' ? 403 : error.status;
    const type = status >= 500 ? 'Receiver' : 'Sender';
    return {
      status,
      code,
      body: `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>emulator</RequestId></ErrorResponse>`,
    };
  }
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
