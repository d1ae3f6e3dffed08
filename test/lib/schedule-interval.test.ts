import { checkScheduleExpression } from '../../lib/schedule-expression';
import { longestScheduleGapSeconds } from '../../lib/schedule-interval';

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;

describe('longestScheduleGapSeconds', () => {
  it.each([
    ['rate(1 minute)', MINUTE],
    ['rate(15 minutes)', 15 * MINUTE],
    ['rate(6 hours)', 6 * HOUR],
    ['rate(1 day)', DAY],
    ['rate(3 days)', 3 * DAY],
  ])('reads %s as it says', (expression, seconds) => {
    expect(longestScheduleGapSeconds(expression)).toBe(seconds);
  });

  it.each([
    ['the default, daily at 03:00', 'cron(0 3 * * ? *)', DAY],
    ['twice a day', 'cron(0 3,15 * * ? *)', 12 * HOUR],
    ['uneven times of day, by the longest gap', 'cron(0 1,2,23 * * ? *)', 21 * HOUR],
    ['an hour range across midnight', 'cron(0 22-2 * * ? *)', 20 * HOUR],
    ['every quarter of an hour', 'cron(0/15 * * * ? *)', 15 * MINUTE],
    ['weekdays, by the weekend', 'cron(30 2 ? * MON-FRI *)', 3 * DAY],
    ['office hours on weekdays', 'cron(*/5 9-17 ? * MON-FRI *)', 2 * DAY + 15 * HOUR + 5 * MINUTE],
    ['weekly', 'cron(0 3 ? * SUN *)', 7 * DAY],
    ['a day range across the week end', 'cron(0 3 ? * FRI-MON *)', 4 * DAY],
    ['every other day of the month, by the end of a 30-day month', 'cron(0 3 */2 * ? *)', 2 * DAY],
    ['monthly, by a 31-day month', 'cron(0 3 1 * ? *)', 31 * DAY],
    ['the last day of the month', 'cron(0 3 L * ? *)', 31 * DAY],
    ['the weekday nearest the 15th', 'cron(0 3 15W * ? *)', 32 * DAY],
    ['the third Friday', 'cron(0 3 ? * 6#3 *)', 35 * DAY],
    ['the last Friday', 'cron(0 3 ? * 6L *)', 35 * DAY],
    ['twice a year', 'cron(0 3 1 JAN,JUL ? *)', 184 * DAY],
    ['the 29th of February, every four years', 'cron(0 3 29 2 ? *)', 1_461 * DAY],
  ])('takes the longest interval of %s: %s', (_title, expression, seconds) => {
    expect(checkScheduleExpression(expression)).toBeUndefined();

    expect(longestScheduleGapSeconds(expression)).toBe(seconds);
  });

  it('gives nothing for a schedule that never runs twice, such as the 30th of February', () => {
    expect(checkScheduleExpression('cron(0 3 30 2 ? *)')).toBeUndefined();

    expect(longestScheduleGapSeconds('cron(0 3 30 2 ? *)')).toBeUndefined();
  });
});
