/**
 * Reads the file given to `--rules`: JSON when its name ends in `.json`, YAML otherwise (YAML also reads
 * JSON). The list is checked by `parseConfig`; this only reads it, and says what is wrong with the file.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, errorMessage } from './errors';

export function readRulesFile(path: string): { readonly value: unknown; readonly source: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : errorMessage(error);
    throw new ConfigError([`--rules ${path} cannot be read: ${why}; give a JSON or YAML file with a list of rules`]);
  }
  const json = path.toLowerCase().endsWith('.json');
  try {
    // YAML 1.2 core schema: `yes` stays a string, and a key given twice is an error.
    return { value: json ? JSON.parse(text) : parseYaml(text, { schema: 'core', uniqueKeys: true, prettyErrors: true }), source: path };
  } catch (error) {
    const message = errorMessage(error).split('\n')[0];
    throw new ConfigError([`--rules ${path} is not valid ${json ? 'JSON' : 'YAML'}: ${message}; a rule list looks like [{"repositories": "ci/*", "keepImagesNewerThanDays": 1}]`]);
  }
}
