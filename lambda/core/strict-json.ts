/**
 * JSON that refuses a key given twice in one object. `JSON.parse` keeps the last silently, and in a rule
 * `"exclude": true, …, "exclude": false` would clean what was meant to be left out. Pure.
 */

/**
 * Parses JSON, refusing a key given twice in one object.
 *
 * @throws SyntaxError as `JSON.parse` throws it, or an Error naming the key given twice
 */
export function parseStrictJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  const duplicate = duplicateKey(text);
  if (duplicate !== undefined) throw new Error(`the key ${JSON.stringify(duplicate)} is given twice in one object`);
  return value;
}

/** The first key given twice in one object of a text that is valid JSON, or undefined. */
function duplicateKey(text: string): string | undefined {
  // One entry per open object (its keys so far) or array (null).
  const open: (Set<string> | null)[] = [];
  let expectingKey = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = open[open.length - 1];
      if (expectingKey && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
        expectingKey = false;
      }
      i = end;
    } else if (char === '{') {
      open.push(new Set());
      expectingKey = true;
    } else if (char === '[') {
      open.push(null);
      expectingKey = false;
    } else if (char === '}' || char === ']') {
      open.pop();
    } else if (char === ',') {
      expectingKey = open[open.length - 1] instanceof Set;
    }
  }
  return undefined;
}
