// The README's runnable examples: fenced blocks that follow a marker comment, so tests run
// exactly what a reader copies.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));

/** Contents of every fenced block right after `<!-- marker -->` (only blank lines between). */
export function markedBlocks(markdown: string, marker: string): string[] {
  const escaped = marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`<!-- ${escaped} -->\\s*\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``, 'g');
  return [...markdown.matchAll(pattern)].map((m) => m[1]!);
}

export const readme = (path = readmePath): string => readFileSync(path, 'utf8');

/** A shell example as the README shows it: the file without its leading shebang and comment lines. */
export function scriptBody(path: string): string {
  const lines = readFileSync(path, 'utf8').split('\n');
  const first = lines.findIndex((line) => !line.startsWith('#'));
  return lines.slice(first).join('\n').trim();
}
