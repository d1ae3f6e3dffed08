/**
 * The cleaner's errors: one base class, and a subclass per kind of failure. Each keeps the error it
 * wraps as `cause`, and none ever carries a secret.
 */

export class EcrMaintainerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EcrMaintainerError';
  }
}

/** Bad settings: every problem at once, each naming the variable or flag, the value and what is allowed. */
export class ConfigError extends EcrMaintainerError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(['invalid configuration:', ...problems.map((problem) => `  ${problem}`)].join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** An AWS call that failed after the SDK's retries, naming the operation and what it was about. */
export class AwsCallError extends EcrMaintainerError {
  readonly operation: string;
  /** The AWS error code, such as `AccessDeniedException`. */
  readonly code: string;

  constructor(operation: string, target: string, cause: unknown) {
    const code = errorCode(cause);
    super(`${operation} failed for ${target}: ${code}: ${errorMessage(cause)}`, { cause });
    this.name = 'AwsCallError';
    this.operation = operation;
    this.code = code;
  }
}

/** A Slack API failure, with Slack's own error code (`channel_not_found`, `ratelimited`, …). */
export class SlackError extends EcrMaintainerError {
  readonly code: string;

  constructor(operation: string, code: string, cause?: unknown) {
    super(`Slack ${operation} failed: ${code}`, { cause });
    this.name = 'SlackError';
    this.code = code;
  }
}

/** The run finished but had errors; thrown by the Lambda handler after it has reported the outcome. */
export class CleanupFailedError extends EcrMaintainerError {
  constructor(summary: string) {
    super(summary);
    this.name = 'CleanupFailedError';
  }
}

/** The AWS error code (`name`) of an SDK error, or the name of any other error. */
export function errorCode(error: unknown): string {
  if (error instanceof Error) return error.name || 'Error';
  return 'Error';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
