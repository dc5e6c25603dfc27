// GET /api/session/settings: public, read-only, and it says only whether the deployment requires a purpose,
// so the sign-in form can ask for one from the start.
import { describe, expect, it } from 'vitest';
import { buildApp } from './index.ts';
import { tempRuntime } from '../../test/temp-runtime.ts';

async function settingsOf(requirePurpose: boolean) {
  const u = await tempRuntime({ access: { settings: { requirePurpose } } });
  const app = buildApp(u.rt);
  try {
    await app.ready();
    const res = await app.inject({ url: '/api/session/settings' });
    const doc = (await app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, { 'x-permission': string; security?: unknown[] }>> };
    const writes = await Promise.all(['POST', 'PUT', 'DELETE'].map((method) => app.inject({ method: method as 'POST', url: '/api/session/settings' })));
    const extra = await app.inject({ url: '/api/session/settings?who=all' });
    return { status: res.statusCode, body: res.json() as unknown, route: doc.paths['/api/session/settings']?.['get'], writes: writes.map((w) => w.statusCode), extra: extra.statusCode };
  } finally {
    await app.close();
    await u.cleanup();
  }
}

describe('GET /api/session/settings', () => {
  it('answers without a session with exactly whether a purpose is required', async () => {
    const required = await settingsOf(true);
    expect(required.status).toBe(200);
    expect(required.body).toEqual({ requirePurpose: true });
    expect(required.route).toMatchObject({ 'x-permission': 'public', security: [] });
    // Read-only: no write method exists on it; unknown parameters are refused, not ignored.
    for (const s of required.writes) expect([404, 405]).toContain(s);
    expect(required.extra).toBe(400);
    expect((await settingsOf(false)).body).toEqual({ requirePurpose: false });
  });
});
