/**
 * Vitest global setup: a throw-away PostgreSQL server for the control-store tests.
 *
 * It uses Debian's PostgreSQL binaries (installed by .ci/run), creates a cluster in a temp directory, starts
 * it on a free loopback port and publishes its URL as PARALLAX_TEST_DATABASE_URL; teardown stops it and
 * removes the directory. initdb refuses to run as root, so as root the server runs as the `postgres` user.
 * When the binaries are absent the PostgreSQL tests skip and say why; CI always has them.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function pgBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, 'bin') : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export default async function setup(): Promise<() => void> {
  if (process.env['PARALLAX_TEST_DATABASE_URL']) return () => {};
  const bin = pgBin();
  if (!bin) {
    process.env['PARALLAX_TEST_PG_SKIP'] = 'PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql)';
    return () => {};
  }
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' }) : execFileSync(cmd, args, { stdio: 'pipe' });
  const dir = mkdtempSync(join(tmpdir(), 'parallax-pg-'));
  if (asRoot) {
    chmodSync(dir, 0o777);
    execFileSync('chown', ['postgres', dir]);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  run(join(bin, 'initdb'), ['-D', data, '-U', 'parallax', '--auth=trust', '-E', 'UTF8', '--no-locale']);
  run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'parallax', 'parallax_test']);
  process.env['PARALLAX_TEST_DATABASE_URL'] = `postgresql://parallax@127.0.0.1:${port}/parallax_test`;
  return () => {
    try {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
