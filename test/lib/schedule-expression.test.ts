import { checkScheduleExpression } from '../../lib/schedule-expression';

describe('checkScheduleExpression', () => {
  it.each([
    'cron(0 3 * * ? *)',
    'cron(30 2 ? * MON-FRI *)',
    'cron(0/15 * ? * mon-fri *)',
    'cron(0 8 1,15 * ? *)',
    'cron(0 10 L * ? *)',
    'cron(0 10 LW * ? *)',
    'cron(0 10 15W * ? *)',
    'cron(0 10 ? * 6L *)',
    'cron(0 10 ? * 3#2 *)',
    'cron(0 10 ? JAN-MAR,JUL * 2026-2030)',
    'cron(*/5 9-17 ? * 2-6 *)',
    'cron(0 0 1 */3 ? *)',
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(1 day)',
    'rate(7 days)',
  ])('accepts %s', (expression) => {
    expect(checkScheduleExpression(expression)).toBeUndefined();
  });

  it.each([
    ['daily', 'it must be cron(…) or rate(…)'],
    ['cron 0 3 * * ? *', 'it must be cron(…) or rate(…)'],
    ['every(1 day)', '"every(…)" is not a schedule: it must be cron(…) or rate(…)'],
    ['at(2026-12-01T03:00:00)', 'at(…) runs only once, and the cleaner must run again and again: use cron(…) or rate(…)'],
    ['cron(0 3 * * *)', 'cron(…) needs exactly 6 fields (minutes hours day-of-month month day-of-week year), got 5'],
    ['cron(0 0 3 * * ? *)', 'cron(…) needs exactly 6 fields (minutes hours day-of-month month day-of-week year), got 7'],
    ['cron()', 'cron(…) needs exactly 6 fields (minutes hours day-of-month month day-of-week year), got 0'],
    ['cron(60 3 * * ? *)', 'cron(…) field minutes "60": "60" is not a value from 0 to 59'],
    ['cron(0 24 * * ? *)', 'cron(…) field hours "24": "24" is not a value from 0 to 23'],
    ['cron(0 3 0 * ? *)', 'cron(…) field day-of-month "0": "0" is not a value from 1 to 31'],
    ['cron(0 3 32W * ? *)', 'cron(…) field day-of-month "32W": "32" is not a value from 1 to 31'],
    ['cron(0 3 * 13 ? *)', 'cron(…) field month "13": "13" is not a value from 1 to 12 or JAN-DEC'],
    ['cron(0 3 * JANUARY ? *)', 'cron(…) field month "JANUARY": "JANUARY" is not a value from 1 to 12 or JAN-DEC'],
    ['cron(0 3 ? * 8 *)', 'cron(…) field day-of-week "8": "8" is not a value from 1 to 7 or SUN-SAT'],
    ['cron(0 3 ? * MONDAY *)', 'cron(…) field day-of-week "MONDAY": "MONDAY" is not a value from 1 to 7 or SUN-SAT'],
    ['cron(0 3 * * ? 1969)', 'cron(…) field year "1969": "1969" is not a value from 1970 to 2199'],
    ['cron(0 3 * * ? 2200)', 'cron(…) field year "2200": "2200" is not a value from 1970 to 2199'],
    ['cron(? 3 * * ? *)', 'cron(…) field minutes "?": "?" is allowed only in day-of-month and day-of-week'],
    ['cron(0 3 ? * 2/2 *)', 'cron(…) field day-of-week "2/2": "/" is not allowed in this field'],
    ['cron(0/0 3 * * ? *)', 'cron(…) field minutes "0/0": the increment after "/" must be a whole number from 1 to 59'],
    ['cron(0/5/5 3 * * ? *)', 'cron(…) field minutes "0/5/5": one "/" at most in each value'],
    ['cron(0 1-2-3 * * ? *)', 'cron(…) field hours "1-2-3": a range has one "-"'],
    ['cron(0 *,5 * * ? *)', 'cron(…) field hours "*,5": "*" must stand alone'],
    ['cron(0 3 ? * 3#6 *)', 'cron(…) field day-of-week "3#6": "#" takes a day and its week of the month (1 to 5), alone, such as 3#2'],
    ['cron(0 3 ? * 3#1,6#3 *)', 'cron(…) field day-of-week "3#1,6#3": "#" takes a day and its week of the month (1 to 5), alone, such as 3#2'],
    ['cron(0 3 ? * 9L *)', 'cron(…) field day-of-week "9L": "9" is not a value from 1 to 7 or SUN-SAT'],
    ['cron(0 3 * * 1 *)', 'cron(…) needs "?" in day-of-month or in day-of-week (EventBridge cannot use both), such as cron(0 3 * * ? *)'],
    ['cron(0 3 * * * *)', 'cron(…) needs "?" in day-of-month or in day-of-week (EventBridge cannot use both), such as cron(0 3 * * ? *)'],
    ['cron(0 3 ? * ? *)', 'cron(…) needs a value in one of day-of-month and day-of-week; only the other may be "?"'],
    ['rate(0 minutes)', 'rate(…) needs a whole value of at least 1, got "0"'],
    ['rate(-5 minutes)', 'rate(…) needs a whole value of at least 1, got "-5"'],
    ['rate(1.5 hours)', 'rate(…) needs a whole value of at least 1, got "1.5"'],
    ['rate(1 minutes)', 'rate(…) needs "minute" with the value 1, got "minutes"'],
    ['rate(5 minute)', 'rate(…) needs "minutes" with the value 5, got "minute"'],
    ['rate(2 weeks)', 'rate(…) needs the unit minute(s), hour(s) or day(s), got "weeks"'],
    ['rate(5 Minutes)', 'rate(…) needs the unit minute(s), hour(s) or day(s), got "Minutes"'],
    ['rate(5)', 'rate(…) needs a value and a unit separated by one space, such as rate(12 hours)'],
    ['rate(5  minutes)', 'rate(…) needs a value and a unit separated by one space, such as rate(12 hours)'],
  ])('refuses %s, saying why', (expression, reason) => {
    expect(checkScheduleExpression(expression)).toBe(reason);
  });
});
