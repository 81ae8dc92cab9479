// The runnable examples of the documentation (README.md, docs/*.md): fenced blocks that
// follow a marker comment, so tests run exactly what a reader copies.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Contents of every fenced block right after `<!-- marker -->` (only blank lines between). */
export function markedBlocks(markdown: string, marker: string): string[] {
  const escaped = marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`<!-- ${escaped} -->\\s*\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``, 'g');
  return [...markdown.matchAll(pattern)].map((m) => m[1]!);
}

/** A documentation page by its path in the repository (`README.md`, `docs/http-api.md`), of this checkout or of `root`. */
export const readDoc = (page: string, root = repoRoot): string => readFileSync(join(root, page), 'utf8');

/** A shell example as the documentation shows it: the file without its leading shebang and comment lines. */
export function scriptBody(path: string): string {
  const lines = readFileSync(path, 'utf8').split('\n');
  const first = lines.findIndex((line) => !line.startsWith('#'));
  return lines.slice(first).join('\n').trim();
}
