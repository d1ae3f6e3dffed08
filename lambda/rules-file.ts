/**
 * Reading a rule list from text: the file given to `--rules` (JSON when its name ends in `.json`, YAML
 * otherwise), `RULES` and the `rules` context key (JSON). The list itself is checked by `parseRules`;
 * this only reads it, and says what is wrong with the text.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseStrictJson } from './core/strict-json';
import { errorMessage } from './errors';

/** What `--rules` read: the parsed list, or why there is none; `source` is the file's name. */
export type RulesFile = { readonly source: string; readonly value: unknown } | { readonly source: string; readonly problem: string };

const JSON_EXAMPLE = 'a rule list looks like [{"repositories": "ci/*", "keepImagesNewerThanDays": 1}]';
const YAML_EXAMPLE = 'a rule list looks like - { repositories: "ci/*", keepImagesNewerThanDays: 1 }';

export function readRulesFile(path: string): RulesFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : errorMessage(error);
    return { source: path, problem: `--rules ${path} cannot be read: ${why}; give a JSON or YAML file with a list of rules` };
  }
  const json = path.toLowerCase().endsWith('.json');
  let value: unknown;
  try {
    // YAML 1.2 core schema: `yes` stays a string; a key given twice is an error; `<<: *base` merges.
    value = json ? parseStrictJson(text) : parseYaml(text, { schema: 'core', uniqueKeys: true, merge: true });
  } catch (error) {
    return { source: path, problem: `--rules ${path} is not valid ${json ? 'JSON' : 'YAML'}: ${yamlHint(errorMessage(error))}; ${json ? JSON_EXAMPLE : YAML_EXAMPLE}` };
  }
  if (value === null || value === undefined) return { source: path, problem: `--rules ${path} is empty: write a list of rules in it; ${json ? JSON_EXAMPLE : YAML_EXAMPLE}` };
  return { source: path, value };
}

/** The parser's message, on one line, with a hint for the mistakes it words obscurely. */
function yamlHint(message: string): string {
  const line = message.split('\n')[0].replace(/:\s*$/, '');
  // `repositories: **/cache` unquoted reads as a YAML alias.
  if (/alias/i.test(line)) return `${line}; quote globs that start with *, such as "**/cache"`;
  if (/multiple documents/i.test(line)) return 'the file holds several YAML documents (---): put every rule into one list';
  if (/escape sequence/i.test(line)) return `${line}; in double quotes write a backslash twice ("/^v\\\\d+$/"), or use single quotes ('/^v\\d+$/')`;
  return line;
}
