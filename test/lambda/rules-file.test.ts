import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseStrictJson } from '../../lambda/core/strict-json';
import { readRulesFile } from '../../lambda/rules-file';

const folder = mkdtempSync(path.join(tmpdir(), 'rules-file-'));
/** Reads a rules file with the given text, as `--rules` does. */
function read(name: string, text: string): ReturnType<typeof readRulesFile> {
  const file = path.join(folder, name);
  writeFileSync(file, text);
  return readRulesFile(file);
}
const problemOf = (result: ReturnType<typeof readRulesFile>): string => ('problem' in result ? result.problem.replace(`${folder}/`, '') : 'no problem');

describe('readRulesFile', () => {
  it('reads YAML with the core schema (yes stays a string) and merge keys', () => {
    expect(read('rules.yaml', '- &base\n  repositories: a\n  keepMinImageCount: 5\n- <<: *base\n  repositories: b\n  keepTags: [yes]\n')).toMatchObject({
      value: [
        { repositories: 'a', keepMinImageCount: 5 },
        { repositories: 'b', keepMinImageCount: 5, keepTags: ['yes'] },
      ],
    });
  });

  it('reads a .json file as JSON', () => {
    expect(read('rules.json', '[{"repositories": "a"}]')).toMatchObject({ value: [{ repositories: 'a' }] });
  });

  it.each([
    ['an unquoted glob that YAML reads as an alias', 'alias.yaml', '- repositories: **/cache\n', 'quote globs that start with *, such as "**/cache"'],
    ['several documents', 'multi.yaml', '- repositories: a\n---\n- repositories: b\n', 'is not valid YAML: the file holds several YAML documents (---): put every rule into one list'],
    ['a backslash in double quotes', 'escape.yaml', '- repositories: a\n  keepTags: ["/^v\\d+$/"]\n', `in double quotes write a backslash twice ("/^v\\\\d+$/"), or use single quotes ('/^v\\d+$/')`],
    ['a key given twice in YAML', 'twice.yaml', '- repositories: a\n  exclude: true\n  exclude: false\n', 'Map keys must be unique'],
    ['a key given twice in JSON', 'twice.json', '[{"repositories": "a", "exclude": true, "exclude": false}]', 'is not valid JSON: the key "exclude" is given twice in one object'],
    ['an empty file', 'empty.yaml', '# nothing yet\n', 'empty.yaml is empty: write a list of rules in it'],
  ])('refuses %s, saying how to fix it', (_, name, text, expected) => {
    expect(problemOf(read(name, text))).toContain(expected);
  });

  it('says when the file cannot be read', () => {
    expect(problemOf(readRulesFile(path.join(folder, 'missing.yaml')))).toBe('--rules missing.yaml cannot be read: no such file; give a JSON or YAML file with a list of rules');
  });
});

describe('parseStrictJson', () => {
  it('parses JSON as JSON.parse does', () => {
    const text = '[{"repositories": "a\\"{,", "keepTags": ["x", "y"], "untagged": {"olderThanDays": 1}}, {"repositories": "a", "untagged": {"olderThanDays": 2}}]';
    expect(parseStrictJson(text)).toEqual(JSON.parse(text));
  });

  it.each([
    ['in a rule', '[{"repositories": "a", "exclude": true, "exclude": false}]', 'exclude'],
    ['in a nested object', '[{"repositories": "a", "untagged": {"olderThanDays": 1, "olderThanDays": 0}}]', 'olderThanDays'],
    ['written with an escape', '[{"exclude": true, "\\u0065xclude": false}]', 'exclude'],
  ])('refuses a key given twice %s, which JSON.parse would take silently', (_, text, key) => {
    expect(() => parseStrictJson(text)).toThrow(`the key "${key}" is given twice in one object`);
  });

  it('lets the same key appear in different objects, and as a value', () => {
    expect(parseStrictJson('[{"repositories": "exclude"}, {"repositories": "b", "exclude": true}]')).toHaveLength(2);
  });
});
