// The Cedar policy files: the shipped ones load and validate; a broken or schema-violating file is refused
// at load, naming the file, so a server never starts with a rule that silently never matches.
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideAccess, defaultPolicyDir, loadPolicyEngine, PolicyLoadError } from './index.ts';

function policyCopy(extra: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'parallax-policies-'));
  for (const f of readdirSync(defaultPolicyDir())) copyFileSync(join(defaultPolicyDir(), f), join(dir, f));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('policy engine', () => {
  it('loads the shipped policies; default deny for a role with no file', () => {
    const e = loadPolicyEngine();
    expect(e.version).toMatch(/^[0-9a-f]{12}$/);
    expect(e.can({ name: 'u', role: 'investigator', provider: null }, 'data:lines')).toBe(true);
    expect(e.canRead({ name: 'u', role: 'customs-officer', provider: null }, { category: 'financial', provider: '*', level: 'row' })).toBe(false);
    expect(decideAccess(e, { name: 'p', role: 'partner-analyst', provider: null }).scope.grants).toEqual([]);
  });

  it('refuses a file that does not parse, naming it', () => {
    const dir = policyCopy({ 'broken.cedar': 'permit (principal, action, resource' });
    try {
      expect(() => loadPolicyEngine(dir)).toThrow(PolicyLoadError);
      expect(() => loadPolicyEngine(dir)).toThrow(/^broken\.cedar: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a policy naming an action or attribute the schema does not have', () => {
    const dir = policyCopy({ 'typo.cedar': 'permit (principal in Role::"auditor", action == Action::"data:everything", resource == System::"parallax");' });
    try {
      expect(() => loadPolicyEngine(dir)).toThrow(/policies/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
