/**
 * The longest time between two runs of a schedule, for alarms that expect a run within a period. Pure:
 * no CDK, no clock. The expression must have passed `checkScheduleExpression`.
 *
 * - `rate(n unit)`: n units.
 * - `cron(…)`: the runs of eight whole years (2024 to 2031, two of them leap years) are laid out day by
 *   day, and the longest gap between two runs is taken, so the answer is the worst case, not the usual
 *   one: `cron(30 2 ? * MON-FRI *)` runs daily but waits three days over a weekend, and 3 days it is.
 *   The year field is ignored (a schedule that ends, ends). Times are read in the schedule's own time
 *   zone, so a daylight-saving change may shift one gap by an hour; the alarms allow twice the gap.
 */
import { CRON_FIELDS, type CronField } from './schedule-expression';

const MINUTE_SECONDS = 60;
const DAY_SECONDS = 86_400;
const RATE_UNIT_SECONDS: Readonly<Record<string, number>> = { minute: MINUTE_SECONDS, hour: 3_600, day: DAY_SECONDS };

/** The first day laid out, and how many: 2024-01-01 to 2031-12-31. */
const FIRST_DAY = Date.UTC(2024, 0, 1);
const DAYS_LAID_OUT = 2_922;

/**
 * The longest time between two consecutive runs, in seconds; undefined when the schedule runs fewer
 * than twice in eight years (such as `cron(0 3 30 2 ? *)`, which never runs).
 */
export function longestScheduleGapSeconds(expression: string): number | undefined {
  const [, kind, body] = /^([a-z]+)\((.*)\)$/s.exec(expression.trim()) ?? [];
  if (kind === 'rate') {
    const [value, unit] = body.trim().split(/\s+/);
    return Number(value) * RATE_UNIT_SECONDS[unit.replace(/s$/, '')];
  }
  if (kind === 'cron') return longestCronGap(body.trim().toUpperCase().split(/\s+/));
  return undefined;
}

function longestCronGap([minutes, hours, dayOfMonth, month, dayOfWeek]: string[]): number | undefined {
  const [minuteField, hourField, , monthField] = CRON_FIELDS;
  const times = [...valuesOf(hours, hourField)].flatMap((hour) => [...valuesOf(minutes, minuteField)].map((minute) => hour * 3_600 + minute * MINUTE_SECONDS)).sort((a, b) => a - b);
  if (times.length === 0) return undefined;
  const months = valuesOf(month, monthField);
  const runsOn = dayMatcher(dayOfMonth, dayOfWeek);

  // Within a day: between consecutive times. Across days: from the last time of one day to the first of the next.
  let longest = Math.max(0, ...times.slice(1).map((time, index) => time - times[index]));
  let previous: number | undefined;
  let days = 0;
  for (let day = 0; day < DAYS_LAID_OUT; day += 1) {
    const date = new Date(FIRST_DAY + day * DAY_SECONDS * 1000);
    if (!months.has(date.getUTCMonth() + 1) || !runsOn(date)) continue;
    if (previous !== undefined) longest = Math.max(longest, (day - previous) * DAY_SECONDS + times[0] - times[times.length - 1]);
    previous = day;
    days += 1;
  }
  return days < 2 ? undefined : longest;
}

/** Whether the schedule runs on a date, by day-of-month or by day-of-week (the other is `?`). */
function dayMatcher(dayOfMonth: string, dayOfWeek: string): (date: Date) => boolean {
  const [, , dayOfMonthField, , dayOfWeekField] = CRON_FIELDS;
  if (dayOfMonth !== '?') {
    if (dayOfMonth === 'L') return (date) => date.getUTCDate() === lastDayOf(date);
    if (dayOfMonth === 'LW') return (date) => date.getUTCDate() === nearestWeekday(lastDayOf(date), date);
    const weekday = /^(\d+)W$/.exec(dayOfMonth);
    if (weekday) return (date) => date.getUTCDate() === nearestWeekday(Number(weekday[1]), date);
    const days = valuesOf(dayOfMonth, dayOfMonthField);
    return (date) => days.has(date.getUTCDate());
  }
  /** Days of the week as cron numbers them: SUN is 1, SAT is 7. */
  const weekdayOf = (date: Date): number => date.getUTCDay() + 1;
  if (dayOfWeek === 'L') return (date) => weekdayOf(date) === 7;
  const last = /^(.+)L$/.exec(dayOfWeek);
  if (last) {
    const day = valueOf(last[1], dayOfWeekField);
    return (date) => weekdayOf(date) === day && date.getUTCDate() + 7 > lastDayOf(date);
  }
  const nth = /^(.+)#(\d)$/.exec(dayOfWeek);
  if (nth) {
    const day = valueOf(nth[1], dayOfWeekField);
    return (date) => weekdayOf(date) === day && Math.ceil(date.getUTCDate() / 7) === Number(nth[2]);
  }
  const days = valuesOf(dayOfWeek, dayOfWeekField);
  return (date) => days.has(weekdayOf(date));
}

/** The last day of the date's month. */
function lastDayOf(date: Date): number {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
}

/** The weekday nearest to day `day` of the date's month, within that month; NaN past its end. */
function nearestWeekday(day: number, date: Date): number {
  const last = lastDayOf(date);
  if (day > last) return Number.NaN;
  const weekday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), day)).getUTCDay();
  if (weekday === 6) return day === 1 ? 3 : day - 1;
  if (weekday === 0) return day === last ? day - 2 : day + 1;
  return day;
}

/** The values a field lists: `*`, numbers or names, ranges (which may wrap), steps, and lists of them. */
function valuesOf(field: string, spec: CronField): Set<number> {
  const values = new Set<number>();
  for (const item of field.split(',')) {
    const [base, stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    const [fromText, toText] = base === '*' ? [] : base.split('-');
    const from = fromText === undefined ? spec.min : valueOf(fromText, spec);
    // "a/n" runs from a to the end of the range; "a" alone is one value.
    const to = toText !== undefined ? valueOf(toText, spec) : base === '*' || stepText !== undefined ? spec.max : from;
    const span = to >= from ? to - from : to - from + spec.max - spec.min + 1;
    for (let offset = 0; offset <= span; offset += step) values.add(((from - spec.min + offset) % (spec.max - spec.min + 1)) + spec.min);
  }
  return values;
}

function valueOf(text: string, spec: CronField): number {
  return /^\d+$/.test(text) ? Number(text) : (spec.names?.indexOf(text) ?? -1) + spec.min;
}
