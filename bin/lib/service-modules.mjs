// Loads the service's modules into this process: the compiled dist/ when it is built and
// up to date, else the TypeScript sources through tsx's loader (a devDependency). Plain
// Node, so stack/cli.mjs (`npm start`) can use it as well as bin/order-service.mjs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const appRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Newest modification time of the TypeScript sources under `dir` (0 when there are none, as in an image). */
function newestSourceMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

let tsxRegistered = false;
async function registerTsx() {
  if (tsxRegistered) return;
  try {
    const { register } = await import('tsx/esm/api');
    register();
    tsxRegistered = true;
  } catch (err) {
    throw new Error(`cannot run the TypeScript sources: tsx is not installed (${err.message}). Run \`npm ci\`, or \`npm run build\` for dist/.`);
  }
}

/**
 * Where `module` (e.g. 'src/edge/main') comes from: dist/ when built and not older than any
 * source, so a checkout edited after a build never runs stale code.
 */
export function moduleSource(module, root = appRoot) {
  const compiled = join(root, 'dist', `${module}.js`);
  const source = join(root, `${module}.ts`);
  if (existsSync(compiled) && (!existsSync(source) || statSync(compiled).mtimeMs >= newestSourceMtime(join(root, 'src')))) return { path: compiled, via: 'dist' };
  if (existsSync(source)) return { path: source, via: 'tsx' };
  return null;
}

/** Imports a service module (and so runs it, for a process entry such as src/edge/main). */
export async function importServiceModule(module) {
  const found = moduleSource(module);
  if (!found) throw new Error(`${module}: neither dist/${module}.js nor ${module}.ts exists under ${appRoot}`);
  if (found.via === 'tsx') await registerTsx();
  return import(pathToFileURL(found.path).href);
}
