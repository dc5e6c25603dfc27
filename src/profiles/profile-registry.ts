/**
 * Built-in profiles (JSON files beside this module) and user profiles from a file path.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { profileSchema, type Profile } from './profile-schema.ts';

const BUILTIN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'builtin');

export class ProfileError extends Error {}

function parseProfile(text: string, origin: string): Profile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ProfileError(`${origin}: not valid JSON (${(e as Error).message}); a profile is a JSON object`);
  }
  const parsed = profileSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new ProfileError(`${origin}: ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  return parsed.data;
}

export function builtinProfileNames(): string[] {
  return readdirSync(BUILTIN_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => basename(f, '.json'))
    .sort();
}

/** A built-in name (`kcs`) or a path to a user profile file (`./my-profile.json`). */
export function loadProfile(nameOrPath: string): Profile {
  const builtin = join(BUILTIN_DIR, `${nameOrPath}.json`);
  if (/^[a-z][a-z0-9-]*$/.test(nameOrPath) && existsSync(builtin)) {
    return parseProfile(readFileSync(builtin, 'utf8'), `built-in profile ${nameOrPath}`);
  }
  if (existsSync(nameOrPath)) return parseProfile(readFileSync(nameOrPath, 'utf8'), nameOrPath);
  throw new ProfileError(
    `unknown profile "${nameOrPath}": use one of ${builtinProfileNames().join(', ')} or a path to a profile JSON file`,
  );
}
