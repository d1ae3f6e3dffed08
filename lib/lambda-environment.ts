/**
 * Lambda's limit on a function's environment variables: 4 KB for all of them together, names and values.
 * Lambda measures them as one JSON object (its error quotes the "string measured"), so that is what is
 * counted here: quotes, separators and escapes included, which is at least the names and values alone.
 * A value known only at deploy time (a token) is estimated from above.
 */

/** The most bytes that all of a function's environment variables may take. */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4096;

/**
 * What a reference resolved only at deploy time is counted as: the longest value of the pseudo
 * parameters, a bucket's name right after `s3://` at S3's longest (63), and for any other reference (an
 * ARN, a name) 256 bytes, more than the ARN of any resource this app creates.
 */
const ESTIMATED_BYTES: Readonly<Record<string, number>> = { 'AWS::Partition': 16, 'AWS::Region': 24, 'AWS::AccountId': 12, 'AWS::URLSuffix': 24 };
const ESTIMATED_BUCKET_NAME_BYTES = 63;
const ESTIMATED_REFERENCE_BYTES = 256;

/**
 * The environment's size in bytes, as Lambda measures it; values that are tokens are estimated from
 * above.
 *
 * @param resolve turns a token into its CloudFormation form (`Stack.of(scope).resolve`)
 */
export function environmentBytes(variables: Readonly<Record<string, string>>, resolve: (value: string) => unknown): number {
  return Buffer.byteLength(JSON.stringify(Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, estimate(resolve(value))]))), 'utf8');
}

/** One variable's value in bytes, as part of the environment's JSON (without the name). */
export function valueBytes(value: string, resolve: (value: string) => unknown): number {
  return Buffer.byteLength(JSON.stringify(estimate(resolve(value))), 'utf8');
}

/** A resolved value as a string at least as long as the value it will have at deploy time. */
function estimate(resolved: unknown): string {
  if (typeof resolved === 'string') return resolved;
  if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
  const object = (resolved ?? {}) as Record<string, unknown>;
  if (typeof object.Ref === 'string' && object.Ref in ESTIMATED_BYTES) return 'x'.repeat(ESTIMATED_BYTES[object.Ref]);
  if (Array.isArray(object['Fn::Join'])) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    if (Array.isArray(parts)) {
      return parts
        .map((part, index) => {
          const before = index > 0 && separator === '' ? parts[index - 1] : undefined;
          const bucketName = typeof before === 'string' && before.endsWith('s3://') && isResourceReference(part);
          return bucketName ? 'x'.repeat(ESTIMATED_BUCKET_NAME_BYTES) : estimate(part);
        })
        .join(separator);
    }
  }
  return 'x'.repeat(ESTIMATED_REFERENCE_BYTES);
}

/** A `Ref` to a resource of the template, not to a pseudo parameter. */
function isResourceReference(value: unknown): boolean {
  const ref = typeof value === 'object' && value !== null ? (value as { Ref?: unknown }).Ref : undefined;
  return typeof ref === 'string' && !(ref in ESTIMATED_BYTES);
}

/**
 * The problem with an environment over the limit, naming the size, the largest variables and the fix;
 * undefined when it fits.
 */
export function checkEnvironmentSize(variables: Readonly<Record<string, string>>, resolve: (value: string) => unknown): string | undefined {
  const total = environmentBytes(variables, resolve);
  if (total <= LAMBDA_ENVIRONMENT_MAX_BYTES) return undefined;
  const bytes = (count: number): string => `${count.toLocaleString('en-US')} bytes`;
  const largest = Object.entries(variables)
    .map(([name, value]) => ({ name, size: Buffer.byteLength(JSON.stringify(name)) + valueBytes(value, resolve) }))
    .sort((a, b) => b.size - a.size)
    .slice(0, 3);
  const fixes: Record<string, string> = {
    RULES: 'write fewer or shorter rules: one rule with a list of globs ("repositories": ["a/*", "b/*"]) for repositories that share their settings, or a broader glob ("team/**")',
    ECR_REPOSITORIES: 'name fewer repositories, or leave repositories out and exclude repositories with rules',
    ECS_CLUSTERS: 'name fewer clusters',
  };
  const fix = largest.map(({ name }) => fixes[name]).find((candidate) => candidate !== undefined) ?? 'shorten the largest variables';
  const size = variables.RULES !== undefined ? `rules bring the function's environment variables to ${bytes(total)}` : `the function's environment variables take ${bytes(total)}`;
  return (
    `${size} (the largest: ${largest.map(({ name, size }) => `${name} ${bytes(size)}`).join(', ')}), ` +
    `over Lambda's limit of ${bytes(LAMBDA_ENVIRONMENT_MAX_BYTES)} for all of a function's variables, names and values together: ${fix}`
  );
}
