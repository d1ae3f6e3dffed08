/** AWS Secrets Manager's GetSecretValue, by name or ARN. */
import { AwsError, epochSeconds, text, type Params } from './protocol';

export class Secrets {
  private readonly secrets: Map<string, { name: string; arn: string; value: string }>;

  constructor(
    private readonly accountId: string,
    private readonly region: string,
    values: Readonly<Record<string, string>>,
  ) {
    this.secrets = new Map(Object.entries(values).map(([name, value]) => [name, { name, arn: this.arnOf(name), value }]));
  }

  arnOf(name: string): string {
    return `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-AbCdEf`;
  }

  handle(operation: string, params: Params): unknown {
    if (operation !== 'GetSecretValue') throw new AwsError('UnknownOperationException', `Secrets Manager operation ${operation} is not emulated`);
    const id = text(params.SecretId ?? '');
    const secret = [...this.secrets.values()].find((candidate) => candidate.name === id || candidate.arn === id);
    if (!secret) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return { ARN: secret.arn, Name: secret.name, VersionId: 'v1', SecretString: secret.value, VersionStages: ['AWSCURRENT'], CreatedDate: epochSeconds(new Date()) };
  }
}
