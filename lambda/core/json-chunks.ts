/**
 * JSON text in pieces: what `JSON.stringify(value, null, 2)` gives, as a sequence of chunks, so that a
 * large document can be written to a file without ever holding its whole text. Pure.
 */

const INDENT = '  ';

/**
 * Yields the text of `JSON.stringify(value, null, 2)`, piece by piece: joined, the chunks are exactly that
 * text. Every array is walked element by element, and so is every object that holds a list of records
 * (an array with an object in it); any other value is one chunk. So a chunk is at most one record of a
 * list (a repository's artifact, a decision, an error) and never grows with the length of a list.
 *
 * Follows `JSON.stringify`: `toJSON` is called, a property that is `undefined`, a function or a symbol
 * is left out, and such an element of an array is `null`.
 */
export function* stringifyInChunks(value: unknown): Generator<string, void, undefined> {
  const json = toJsonValue(value, '');
  if (json === undefined) return;
  yield* chunksOf(json, '');
}

function* chunksOf(value: unknown, indent: string): Generator<string, void, undefined> {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    const inner = indent + INDENT;
    yield '[';
    for (let index = 0; index < value.length; index += 1) {
      const element = toJsonValue(value[index], String(index));
      yield `${index === 0 ? '' : ','}\n${inner}`;
      yield* chunksOf(element === undefined ? null : element, inner);
    }
    yield `\n${indent}]`;
    return;
  }
  if (value !== null && typeof value === 'object' && holdsRecords(value)) {
    const inner = indent + INDENT;
    let first = true;
    yield '{';
    for (const [key, property] of Object.entries(value)) {
      const json = toJsonValue(property, key);
      if (json === undefined) continue;
      yield `${first ? '' : ','}\n${inner}${JSON.stringify(key)}: `;
      yield* chunksOf(json, inner);
      first = false;
    }
    yield first ? '}' : `\n${indent}}`;
    return;
  }
  yield reindent(JSON.stringify(value, null, 2), indent);
}

/** The value as `JSON.stringify` sees it: after `toJSON`, and `undefined` for what it leaves out. */
function toJsonValue(value: unknown, key: string): unknown {
  const own = value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function'
    ? (value as { toJSON: (key: string) => unknown }).toJSON(key)
    : value;
  return own === undefined || typeof own === 'function' || typeof own === 'symbol' ? undefined : own;
}

/** True for an object with a property that is an array holding an object: a list of records to walk. */
function holdsRecords(value: object): boolean {
  return Object.values(value).some((property) => Array.isArray(property) && property.some((element) => element !== null && typeof element === 'object'));
}

/** Text of a value nested at `indent`: every line after the first moves right by it. */
function reindent(text: string, indent: string): string {
  // JSON escapes a newline inside a string, so every newline in the text is one between lines.
  return indent === '' ? text : text.replace(/\n/g, `\n${indent}`);
}
