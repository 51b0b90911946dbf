/**
 * Just enough of a POSIX shell reader to find the commands a workflow's `run:`
 * blocks and the repository's scripts execute: words with quoting, `$VAR` and
 * `${VAR}` expansion from known variables, control operators, and the shell
 * keywords that precede a command. Anything it cannot know (command
 * substitution, unknown variables) stays in the word as written, with `$`.
 */

/** One simple command: its words after expansion, and the line it came from. */
export interface ShellCommand {
  readonly words: readonly string[];
  readonly line: string;
}

/** Words that introduce or close a compound command; the command proper follows them. */
const KEYWORDS = new Set(["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "(", ")", "time", "exec"]);

/**
 * The simple commands in a script, in order. `vars` expands `$NAME` and
 * `${NAME}` (the others stay as written); `for NAME in ...` heads, function
 * definitions, assignments and comments are not commands.
 */
export function shellCommands(script: string, vars: Readonly<Record<string, string>> = {}): ShellCommand[] {
  const commands: ShellCommand[] = [];
  const text = script.replace(/\\\r?\n/g, " ");
  for (const line of text.split(/\r?\n/)) {
    for (const part of splitOperators(line)) {
      let words = tokenize(part, vars);
      while (words.length && KEYWORDS.has(words[0])) words = words.slice(1);
      while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) words = words.slice(1);
      if (words[0] === "sudo" || words[0] === "env") words = words.slice(1);
      if (words.length === 0 || words[0] === "for" || words[0] === "case" || /^[A-Za-z_][A-Za-z0-9_-]*\(\)$/.test(words[0])) continue;
      if (words[0] === "function" || words[0].endsWith("()")) continue;
      commands.push({ words, line: line.trim() });
    }
  }
  return commands;
}

/** Splits a line at `;`, `&&`, `||`, `|` and `&` outside quotes and `$(...)`; drops a trailing comment. */
function splitOperators(line: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === "\\" && quote === '"') {
        current += c + (line[++i] ?? "");
        continue;
      }
      if (c === quote) quote = undefined;
      current += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      current += c;
    } else if (c === "$" && line[i + 1] === "(") {
      depth++;
      current += "$(";
      i++;
    } else if (c === ")" && depth > 0) {
      depth--;
      current += c;
    } else if (depth === 0 && c === "#" && (current.length === 0 || /\s$/.test(current))) {
      break;
    } else if (depth === 0 && (c === ";" || c === "|" || c === "&")) {
      if (line[i + 1] === c) i++;
      parts.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Shell words of one simple command, quotes removed, known variables expanded. */
export function tokenize(part: string, vars: Readonly<Record<string, string>> = {}): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  const expand = (s: string, i: number): [string, number] => {
    // $NAME or ${NAME}; $(...) and anything else unknown is kept as written.
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(s.slice(i));
    const bare = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(s.slice(i));
    const m = braced ?? bare;
    if (m && vars[m[1]] !== undefined) return [vars[m[1]], i + m[0].length - 1];
    if (s[i + 1] === "(") {
      let depth = 0;
      let j = i + 1;
      for (; j < s.length; j++) {
        if (s[j] === "(") depth++;
        else if (s[j] === ")" && --depth === 0) break;
      }
      return [s.slice(i, j + 1), j];
    }
    return m ? [m[0], i + m[0].length - 1] : ["$", i];
  };
  for (let i = 0; i < part.length; i++) {
    const c = part[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < part.length) word += part[++i];
      else if (c === "$") {
        const [text, end] = expand(part, i);
        word += text;
        i = end;
      } else word += c;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'" || c === '"') quote = c;
    else if (c === "\\" && i + 1 < part.length) word += part[++i];
    else if (c === "$") {
      const [text, end] = expand(part, i);
      word += text;
      i = end;
    } else word += c;
  }
  if (inWord) words.push(word);
  return words;
}
