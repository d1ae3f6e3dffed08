/**
 * Reading a rule list from text: the file given to `--rules` (JSON when its name ends in `.json`, YAML
 * otherwise), `RULES` and the `rules` context key (JSON). The list itself is checked by `parseRules`;
 * this only reads it, and says what is wrong with the text.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, parseDocument } from 'yaml';
import { errorMessage } from './errors';

/** What `--rules` read: the parsed list, or why there is none; `source` is the file's name. */
export type RulesFile = { readonly source: string; readonly value: unknown } | { readonly source: string; readonly problem: string };

const EXAMPLE = 'a rule list looks like [{"repositories": "ci/*", "keepImagesNewerThanDays": 1}]';

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
  try {
    // YAML 1.2 core schema: `yes` stays a string; a key given twice is an error.
    return { source: path, value: json ? parseRulesJson(text) : parseYaml(text, { schema: 'core', uniqueKeys: true, prettyErrors: true }) };
  } catch (error) {
    const message = errorMessage(error).split('\n')[0];
    // `repositories: **/cache` unquoted reads as a YAML alias.
    const hint = /alias/i.test(message) ? '; quote globs that start with *, such as "**/cache"' : '';
    return { source: path, problem: `--rules ${path} is not valid ${json ? 'JSON' : 'YAML'}: ${message}${hint}; ${EXAMPLE}` };
  }
}

/**
 * Parses a rule list written as JSON. A key given twice in one rule is an error: `JSON.parse` would keep
 * the last silently, and `"exclude": true, …, "exclude": false` would clean what was meant to be left out.
 *
 * @throws Error with the parser's message
 */
export function parseRulesJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  const [duplicate] = parseDocument(text, { schema: 'json', uniqueKeys: true }).errors;
  if (duplicate) throw new Error(`${duplicate.message.split('\n')[0]}: a key is given twice`);
  return value;
}
