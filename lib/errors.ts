/**
 * The error for settings that cannot be deployed: bad props, bad context values, unknown context keys.
 * `bin/ecr-maintainer.ts` recognises it and prints its message alone, without a stack trace.
 */
export class InvalidSettingsError extends Error {
  /** Every problem found, one line each, naming the setting, the value, the limit and the fix. */
  readonly problems: readonly string[];

  constructor(title: string, problems: readonly string[]) {
    super(`${title}:\n  ${problems.join('\n  ')}`);
    this.name = 'InvalidSettingsError';
    this.problems = problems;
  }
}
