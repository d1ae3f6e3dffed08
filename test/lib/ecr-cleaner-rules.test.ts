import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { RuleSpec } from '../../lambda/core/rules';
import { EcrCleaner, type EcrCleanerProps } from '../../lib/ecr-cleaner';
import { InvalidSettingsError } from '../../lib/errors';
import { environmentBytes } from '../../lib/lambda-environment';
import { type Statement, catchError, statementsOfRole, synthCleaner, testApp } from '../support/cdk';

const ecr = (resource: string): string => `arn:\${AWS::Partition}:ecr:\${AWS::Region}:\${AWS::AccountId}:${resource}`;

const statementsFor = (props: EcrCleanerProps): Statement[] => statementsOfRole(synthCleaner(props).template, 'lambda.amazonaws.com');
const deleteStatementsOf = (statements: readonly Statement[]): Statement[] => statements.filter((statement) => JSON.stringify(statement.Action).includes('ecr:BatchDeleteImage'));
const messagesOf = (stack: Stack, kind: 'info' | 'warning'): string[] =>
  (kind === 'info' ? Annotations.fromStack(stack).findInfo('*', Match.anyValue()) : Annotations.fromStack(stack).findWarning('*', Match.anyValue())).map((message) => message.entry.data as string);

/** Clean CI and team repositories, keep out of legacy ones and out of everything else. */
const CATCH_ALL: RuleSpec[] = [
  { repositories: 'legacy/**', exclude: true },
  { repositories: 'ci/**', keepImagesNewerThanDays: 1, keepMinImageCount: 1 },
  { repositories: ['team/**', '**/cache'], keepTags: ['v*', '/^release-\\d+$/'] },
  { repositories: '**', exclude: true },
];

/** Clean everything, with exclusions that IAM can and cannot enforce. */
const EXCLUSIONS: RuleSpec[] = [
  { repositories: ['team/secret/**', 'vendor'], exclude: true },
  { repositories: 'sandbox/*', exclude: true },
  { repositories: 'team/**', keepMinImageCount: 1 },
  { repositories: 'team/old/**', exclude: true },
];

describe('EcrCleaner: rules reach the function', () => {
  it('passes the rules to the function as compact JSON in RULES', () => {
    const { template } = synthCleaner({ rules: CATCH_ALL });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          RULES:
            '[{"repositories":"legacy/**","exclude":true},{"repositories":"ci/**","keepImagesNewerThanDays":1,"keepMinImageCount":1},' +
            '{"repositories":["team/**","**/cache"],"keepTags":["v*","/^release-\\\\d+$/"]},{"repositories":"**","exclude":true}]',
        }),
      },
    });
  });

  it.each<[string, EcrCleanerProps]>([
    ['no rules are given', {}],
    ['the list of rules is empty', { rules: [] }],
  ])('sets no RULES when %s', (_title, props) => {
    synthCleaner(props).template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ RULES: Match.absent() }) } });
  });
});

describe('EcrCleaner: checking the rules at synth', () => {
  it('fails at construction on a bad rule, naming rules[i] and the key, the value and the fix', () => {
    const stack = new Stack(testApp(), 'Test');

    expect(() => new EcrCleaner(stack, 'Cleaner', { rules: [{ repositories: 'ci/*' }, { repositories: 'app', keepTags: ['/(/'] }] })).toThrow(
      'EcrCleaner: invalid props:\n  rules[1].keepTags has "/(/", which is not a regular expression: Invalid regular expression: /(/: Unterminated group',
    );
  });

  it('lists every problem of the rules with the other props’ problems, each naming its rule once', () => {
    const stack = new Stack(testApp(), 'Test');

    const error = catchError(
      () =>
        new EcrCleaner(stack, 'Cleaner', {
          keepMinImageCount: 0,
          rules: [{ repositories: 'Team/*', keepMinImageCount: 0 }, { repositories: 'legacy/**', exclude: true, keepTags: ['v1'] }, { repository: 'x' } as unknown as RuleSpec],
        }),
    );

    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).problems).toEqual([
      'keepMinImageCount must be a whole number of at least 1, got 0',
      'rules[0].repositories has "Team/*", which is not a glob over repository names: use lower-case letters, digits, . _ - /, and * ** ? (such as "shop/*")',
      'rules[0].keepMinImageCount must be a whole number of at least 1, got 0',
      'rules[1] excludes its repositories, which are then neither cleaned nor counted, so keepTags would have no effect: remove it, or "exclude"',
      'rules[2] has an unknown key "repository": did you mean "repositories"?',
      'rules[2].repositories must be a glob or a list of globs over repository names, such as "shop/*" or ["**/cache"], got nothing',
    ]);
  });

  it('fails when rules is not a list', () => {
    const stack = new Stack(testApp(), 'Test');

    expect(() => new EcrCleaner(stack, 'Cleaner', { rules: { repositories: 'ci/*' } as unknown as RuleSpec[] })).toThrow(
      'EcrCleaner: invalid props:\n  rules must be a list of rules, such as [{"repositories": "ci/*", "keepImagesNewerThanDays": 1}], got {"repositories":"ci/*"}',
    );
  });
});

describe('EcrCleaner: Lambda’s 4 KB limit on the environment', () => {
  /** `count` rules with distinct long globs, such as {"repositories":"a-team-with-a-long-name-0/**","keepMinImageCount":5}. */
  const manyRules = (count: number): RuleSpec[] => Array.from({ length: count }, (_, index) => ({ repositories: `a-team-with-a-long-name-${index}/**`, keepMinImageCount: 5 }));
  const variablesOf = (template: Template): Record<string, string> =>
    Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables as Record<string, string>;

  /** The most of those rules that fit beside the default variables, counted on a synthesized function without rules. */
  const fitting = (() => {
    const defaults = variablesOf(synthCleaner().template);
    let count = 1;
    while (environmentBytes({ ...defaults, RULES: JSON.stringify(manyRules(count + 1)) }, (value) => value) <= 4096) count += 1;
    return count;
  })();

  it('synthesizes a function whose variables are as large as Lambda allows, and counts them as the template has them', () => {
    const { template } = synthCleaner({ rules: manyRules(fitting) });
    const variables = variablesOf(template);

    expect(environmentBytes(variables, (value) => value)).toBeLessThanOrEqual(4096);
    expect(environmentBytes(variables, (value) => value)).toBeGreaterThan(4096 - 70);
  });

  it('fails at synth one rule later, naming the size, the limit and the fix', () => {
    const stack = new Stack(testApp(), 'Test');

    const error = catchError(() => new EcrCleaner(stack, 'Cleaner', { rules: manyRules(fitting + 1) }));

    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).message).toMatch(
      new RegExp(
        "^EcrCleaner: invalid props:\\n  rules bring the function's environment variables to 4,\\d{3} bytes \\(the largest: RULES 3,\\d{3} bytes, .*\\), " +
          "over Lambda's limit of 4,096 bytes for all of a function's variables, names and values together: write fewer or shorter rules: " +
          'one rule with a list of globs \\("repositories": \\["a/\\*", "b/\\*"\\]\\) for repositories that share their settings, or a broader glob \\("team/\\*\\*"\\)$',
      ),
    );
  });

  it('counts a value known only at deploy time from above: rules that fit without Slack fail with a new Slack secret', () => {
    const stack = new Stack(testApp(), 'Test');

    expect(() => new EcrCleaner(stack, 'Cleaner', { rules: manyRules(fitting - 3), slackEnabled: true, slackChannel: 'C1' })).toThrow(/over Lambda's limit of 4,096 bytes/);
  });
});

describe('EcrCleaner: the delete permission follows the rules', () => {
  // The CDK sorts each statement's resources (the minimizePolicies flag).
  it('with a catch-all exclusion, allows deleting only where the rules before it clean, and denies the exclusions that the Allow reaches', () => {
    const statements = deleteStatementsOf(statementsFor({ deleteEnabled: true, rules: CATCH_ALL }));

    expect(statements).toEqual([
      { Sid: 'DeleteImages', Action: 'ecr:BatchDeleteImage', Effect: 'Allow', Resource: [ecr('repository/*/cache'), ecr('repository/cache'), ecr('repository/ci/*'), ecr('repository/team/*')] },
      { Sid: 'KeepOutOfExcludedRepositories', Action: 'ecr:BatchDeleteImage', Effect: 'Deny', Resource: ecr('repository/legacy/*') },
    ]);
  });

  it('leaves reading as it is: the cleaner still lists every repository', () => {
    const statements = statementsFor({ deleteEnabled: true, rules: CATCH_ALL });

    expect(statements.find((statement) => statement.Sid === 'ReadImages')?.Resource).toBe(ecr('repository/*'));
  });

  it('says nothing when IAM enforces every exclusion', () => {
    expect(messagesOf(synthCleaner({ deleteEnabled: true, rules: CATCH_ALL }).stack, 'info')).toEqual([]);
    expect(messagesOf(synthCleaner({ deleteEnabled: true, rules: CATCH_ALL }).stack, 'warning')).toEqual([]);
  });

  it('with a catch-all exclusion and a single *, says at synth that the Allow is broader than the rules', () => {
    const { stack } = synthCleaner({ deleteEnabled: true, rules: [{ repositories: 'ci/*' }, { repositories: '**', exclude: true }] });

    expect(messagesOf(stack, 'info')).toEqual([
      'rules[1] excludes every repository that no earlier rule matches: the cleaner itself keeps out of them, but its role could still delete in some, ' +
        'because the Allow is broader than the globs of the rules that clean: "ci/*" (rules[0]): IAM\'s * crosses "/".',
    ]);
  });

  it('with rules that exclude every repository, grants no delete at all and warns, whether deletion is on or off', () => {
    const rules: RuleSpec[] = [{ repositories: 'legacy/**', exclude: true }, { repositories: '**', exclude: true }];
    const on = synthCleaner({ deleteEnabled: true, rules });
    const off = synthCleaner({ deleteEnabled: false, rules });

    expect(JSON.stringify(on.template.toJSON())).not.toContain('ecr:BatchDeleteImage');
    for (const { stack } of [on, off]) {
      Annotations.fromStack(stack).hasWarning(
        '/Test/Cleaner',
        'the rules exclude every repository: rules[1] excludes every repository that no earlier rule matches ("**"), and no rule before it cleans any. ' +
          'The cleaner deletes nothing, and its role gets no ecr:BatchDeleteImage. Put the rules for the repositories to clean before rules[1], or remove it. [ack: ecr-maintainer:rules-exclude-everything]',
      );
    }
  });

  it('without a catch-all, allows every repository and denies the exclusions that IAM names exactly and no earlier rule cleans', () => {
    const statements = deleteStatementsOf(statementsFor({ deleteEnabled: true, rules: EXCLUSIONS }));

    expect(statements).toEqual([
      { Sid: 'DeleteImages', Action: 'ecr:BatchDeleteImage', Effect: 'Allow', Resource: ecr('repository/*') },
      { Sid: 'KeepOutOfExcludedRepositories', Action: 'ecr:BatchDeleteImage', Effect: 'Deny', Resource: [ecr('repository/team/secret/*'), ecr('repository/vendor')] },
    ]);
  });

  it('without a catch-all, says at synth which exclusions the role does not enforce, and why', () => {
    const { stack } = synthCleaner({ deleteEnabled: true, rules: EXCLUSIONS });

    expect(messagesOf(stack, 'info')).toEqual([
      'rules[1] excludes "sandbox/*": the cleaner itself keeps out of those repositories, but its role could still delete there: ' +
        'IAM\'s * crosses "/", so a Deny on repository/sandbox/* would also cover repositories that the glob does not match.',
      'rules[3] excludes "team/old/**": the cleaner itself keeps out of those repositories, but its role could still delete there: ' +
        'rules[2] ("team/**") comes first and may match some of the same repositories, which it then cleans (the first matching rule wins), so a Deny would cover those too.',
    ]);
    expect(messagesOf(stack, 'warning')).toEqual([]);
  });

  it('with repositories in scope, allows deleting in those the first matching rule does not exclude, by name', () => {
    const statements = statementsFor({ deleteEnabled: true, repositories: ['app', 'legacy/api', 'ci/web'], rules: CATCH_ALL });

    expect(deleteStatementsOf(statements)).toEqual([{ Sid: 'DeleteImages', Action: 'ecr:BatchDeleteImage', Effect: 'Allow', Resource: ecr('repository/ci/web') }]);
    expect(statements.find((statement) => statement.Sid === 'ReadImages')?.Resource).toEqual([ecr('repository/app'), ecr('repository/ci/web'), ecr('repository/legacy/api')]);
  });

  it('with repositories in scope that the rules all exclude, grants no delete and warns, naming each with its rule', () => {
    const { stack, template } = synthCleaner({ deleteEnabled: true, repositories: ['legacy/api', 'app'], rules: CATCH_ALL });

    expect(JSON.stringify(template.toJSON())).not.toContain('ecr:BatchDeleteImage');
    expect(messagesOf(stack, 'warning')).toEqual([
      'the rules exclude every repository in repositories: legacy/api (rules[0]), app (rules[3]). The cleaner deletes nothing, and its role gets no ecr:BatchDeleteImage. ' +
        'Change the rules, or the repositories. [ack: ecr-maintainer:rules-exclude-everything]',
    ]);
  });

  it('without rules, allows deleting everywhere or in the repositories in scope, and denies nothing, as before rules existed', () => {
    expect(deleteStatementsOf(statementsFor({ deleteEnabled: true }))).toEqual([{ Sid: 'DeleteImages', Action: 'ecr:BatchDeleteImage', Effect: 'Allow', Resource: ecr('repository/*') }]);
    expect(deleteStatementsOf(statementsFor({ deleteEnabled: true, repositories: ['app'] }))).toEqual([{ Sid: 'DeleteImages', Action: 'ecr:BatchDeleteImage', Effect: 'Allow', Resource: ecr('repository/app') }]);
  });

  it.each<[string, RuleSpec[]]>([
    ['a catch-all exclusion', CATCH_ALL],
    ['exclusions without a catch-all', EXCLUSIONS],
  ])('with deletion off and %s, neither allows nor denies deleting, and says nothing about the role', (_title, rules) => {
    const { template, stack } = synthCleaner({ deleteEnabled: false, rules });

    expect(JSON.stringify(template.toJSON())).not.toContain('ecr:BatchDeleteImage');
    expect(messagesOf(stack, 'info')).toEqual([]);
  });

  it.each<[string, EcrCleanerProps]>([
    ['a catch-all exclusion', { deleteEnabled: true, rules: CATCH_ALL }],
    ['a catch-all exclusion after a single *', { deleteEnabled: true, rules: [{ repositories: ['ci/*', 'team/**/cache'] }, { repositories: '**', exclude: true }] }],
    ['exclusions without a catch-all', { deleteEnabled: true, rules: EXCLUSIONS }],
    ['repositories in scope', { deleteEnabled: true, repositories: ['app', 'ci/web'], rules: CATCH_ALL }],
  ])('leaves no unacknowledged cdk-nag finding with %s', (_title, props) => {
    const { stack } = synthCleaner(props);

    const report = new AwsSolutionsChecks(stack).validateScope(stack);

    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });
});
