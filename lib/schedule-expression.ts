/**
 * Checks an EventBridge Scheduler expression at synth, so that a schedule that AWS would refuse (or one
 * that runs only once) fails `cdk synth` instead of the deploy. Pure: no CDK, no clock.
 *
 * The rules are EventBridge's (Scheduler uses the same cron syntax):
 * - `cron(minutes hours day-of-month month day-of-week year)`: exactly six fields; `,` `-` `*` `/` in
 *   every field but day-of-week (which has no `/`); `?` `L` `W` in day-of-month; `?` `L` `#` in
 *   day-of-week; months 1-12 or JAN-DEC, days 1-7 or SUN-SAT, years 1970-2199; one of day-of-month and
 *   day-of-week must be `?`, the other not; `#` stands alone in day-of-week.
 * - `rate(value unit)`: a whole value of at least 1; the unit `minute`, `hour` or `day` when the value
 *   is 1, else `minutes`, `hours` or `days`.
 * - `at(yyyy-mm-ddThh:mm:ss)` is valid in AWS but runs once; a cleaner must recur, so it is refused.
 */

/** A recurring schedule the cleaner accepts, for messages. */
export const SCHEDULE_EXAMPLE = 'cron(0 3 * * ? *)';

/** A cron field's range and syntax, as EventBridge defines it. */
export interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names that stand for min, min + 1, … (JAN = 1, SUN = 1). */
  readonly names?: readonly string[];
  readonly step: boolean;
  readonly question: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The six fields of `cron(…)`, in order. */
export const CRON_FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59, step: true, question: false },
  { name: 'hours', min: 0, max: 23, step: true, question: false },
  { name: 'day-of-month', min: 1, max: 31, step: true, question: true },
  { name: 'month', min: 1, max: 12, names: MONTHS, step: true, question: false },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, step: false, question: true },
  { name: 'year', min: 1970, max: 2199, step: true, question: false },
];

const RATE_UNITS = ['minute', 'hour', 'day'];

/**
 * Why `expression` is not a recurring EventBridge Scheduler expression, or undefined when it is one.
 * The reason names the part that is wrong and what it must be.
 */
export function checkScheduleExpression(expression: string): string | undefined {
  const match = /^([a-z]+)\((.*)\)$/s.exec(expression);
  if (!match) return 'it must be cron(…) or rate(…)';
  const [, kind, body] = match;
  if (kind === 'cron') return checkCron(body);
  if (kind === 'rate') return checkRate(body);
  if (kind === 'at') return 'at(…) runs only once, and the cleaner must run again and again: use cron(…) or rate(…)';
  return `"${kind}(…)" is not a schedule: it must be cron(…) or rate(…)`;
}

function checkRate(body: string): string | undefined {
  const match = /^(\S+) (\S+)$/.exec(body);
  if (!match) return 'rate(…) needs a value and a unit separated by one space, such as rate(12 hours)';
  const [, value, unit] = match;
  if (!/^\d+$/.test(value) || Number(value) < 1) return `rate(…) needs a whole value of at least 1, got "${value}"`;
  const singular = unit.replace(/s$/, '');
  if (!RATE_UNITS.includes(singular)) return `rate(…) needs the unit minute(s), hour(s) or day(s), got "${unit}"`;
  const expected = Number(value) === 1 ? singular : `${singular}s`;
  if (unit !== expected) return `rate(…) needs "${expected}" with the value ${value}, got "${unit}"`;
  return undefined;
}

function checkCron(body: string): string | undefined {
  const fields = body.trim().split(/\s+/).filter((field) => field !== '');
  if (fields.length !== CRON_FIELDS.length) {
    return `cron(…) needs exactly 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`;
  }
  for (const [index, spec] of CRON_FIELDS.entries()) {
    const problem = checkField(fields[index].toUpperCase(), spec);
    if (problem) return `cron(…) field ${spec.name} "${fields[index]}": ${problem}`;
  }
  const [dayOfMonth, dayOfWeek] = [fields[2], fields[4]];
  if (dayOfMonth === '?' && dayOfWeek === '?') return 'cron(…) needs a value in one of day-of-month and day-of-week; only the other may be "?"';
  if (dayOfMonth !== '?' && dayOfWeek !== '?') return 'cron(…) needs "?" in day-of-month or in day-of-week (EventBridge cannot use both), such as cron(0 3 * * ? *)';
  return undefined;
}

function checkField(field: string, spec: CronField): string | undefined {
  if (field === '?') return spec.question ? undefined : '"?" is allowed only in day-of-month and day-of-week';
  if (spec.name === 'day-of-month' && /^(L|LW|\d{1,2}W)$/.test(field)) {
    return field.startsWith('L') ? undefined : checkValue(field.slice(0, -1), spec);
  }
  if (spec.name === 'day-of-week') {
    if (field === 'L') return undefined;
    if (/^[^,]+L$/.test(field)) return checkValue(field.slice(0, -1), spec);
    if (field.includes('#')) {
      const hash = /^([^#,]+)#([1-5])$/.exec(field);
      return hash ? checkValue(hash[1], spec) : '"#" takes a day and its week of the month (1 to 5), alone, such as 3#2';
    }
  }
  const items = field.split(',');
  for (const item of items) {
    const problem = checkItem(item, spec, items.length);
    if (problem) return problem;
  }
  return undefined;
}

function checkItem(item: string, spec: CronField, count: number): string | undefined {
  const [base, step, ...rest] = item.split('/');
  if (rest.length > 0) return 'one "/" at most in each value';
  if (step !== undefined) {
    if (!spec.step) return '"/" is not allowed in this field';
    if (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > spec.max) return `the increment after "/" must be a whole number from 1 to ${spec.max}`;
  }
  if (base === '*') return count === 1 ? undefined : '"*" must stand alone';
  const [from, to, ...more] = base.split('-');
  if (more.length > 0) return 'a range has one "-"';
  return checkValue(from, spec) ?? (to === undefined ? undefined : checkValue(to, spec));
}

function checkValue(value: string, spec: CronField): string | undefined {
  if (/^\d+$/.test(value) && Number(value) >= spec.min && Number(value) <= spec.max) return undefined;
  if (spec.names?.includes(value)) return undefined;
  const names = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
  return `"${value}" is not a value from ${spec.min} to ${spec.max}${names}`;
}
