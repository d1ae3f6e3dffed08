import { parseInUseList } from '../../../lambda/core/in-use-list';
import { HOST, digestOf } from './builders';

describe('parseInUseList', () => {
  it('reads one reference per line, skipping comments and blank lines, and names each line', () => {
    const text = [
      '# written by kubectl on 2026-11-26',
      `${HOST}/app:v1`,
      '',
      `  ${HOST}/team/api@${digestOf('x')}   # pinned by the payments cluster`,
      '\t',
      `123456789012.dkr-ecr.eu-west-2.on.aws/app:v2\r`,
    ].join('\n');

    expect(parseInUseList(text, 's3://lists/in-use.txt')).toEqual({
      uses: [
        { source: 'in-use-list', reference: `${HOST}/app:v1`, listEntry: 's3://lists/in-use.txt:2' },
        { source: 'in-use-list', reference: `${HOST}/team/api@${digestOf('x')}`, digest: digestOf('x'), listEntry: 's3://lists/in-use.txt:4' },
        { source: 'in-use-list', reference: '123456789012.dkr-ecr.eu-west-2.on.aws/app:v2', listEntry: 's3://lists/in-use.txt:6' },
      ],
      problems: [],
    });
  });

  it.each([
    ['two references on one line', `${HOST}/app:v1 ${HOST}/app:v2`],
    ['an upper-case repository', `${HOST}/App:v1`],
    ['a bad digest', `${HOST}/app@sha256:123`],
    ['prose', 'the api image'],
  ])('fails closed on a line with %s, naming the line', (_title, line) => {
    const result = parseInUseList(`${HOST}/app:v1\n${line}\n`, 'in-use.txt');

    expect(result.uses).toHaveLength(1);
    expect(result.problems).toEqual([
      `the in-use list in-use.txt:2 is not an image reference such as 123456789012.dkr.ecr.eu-west-2.amazonaws.com/app:1.2 or …/app@sha256:…: "${line}"`,
    ]);
  });

  it('accepts an empty list', () => {
    expect(parseInUseList('# nothing yet\n', 'x')).toEqual({ uses: [], problems: [] });
  });
});
