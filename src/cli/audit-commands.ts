/**
 * audit verify, export, checkpoint: the tamper-evident audit trail from the command line.
 *
 * `audit verify` exits 0 only when the chain and every checkpoint agree, and 1 naming the first bad record
 * otherwise, so a scheduler can alert on it; its human output always says what was checked and what the
 * method cannot detect. Each command is itself audited: verify and export after they ran (so the event never
 * alters what they report), checkpoint before (so the checkpoint covers its own request).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { audited } from '../runtime/index.ts';
import { isoInstant } from '../control/index.ts';
import type { AuditVerifyReport } from '../audit/index.ts';
import { action, UsageError, withControlRuntime } from './run-command.ts';
import { EXIT } from './exit-codes.ts';

const CLI_CONTEXT = { principal: process.env['USER'] ?? 'local-operator', source: 'cli' };

function instant(flag: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  try {
    return isoInstant(v);
  } catch {
    throw new UsageError(`${flag} takes an ISO-8601 date or time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z`);
  }
}

function describeReport(r: AuditVerifyReport): string {
  const out: string[] = [];
  if (r.intact) {
    out.push(`audit trail intact: ${r.records.toLocaleString('en-US')} record(s)${r.head ? `, head record ${r.head.id} (${r.head.hash.slice(0, 16)}…)` : ''}`);
  } else {
    out.push(r.firstBad ? `audit trail NOT intact: first bad record ${r.firstBad.id} (${r.firstBad.kind}): ${r.firstBad.message}` : 'audit trail NOT intact: the checkpoints do not agree');
    out.push('problems:');
    for (const p of r.problems) out.push(`  - ${p.message}`);
  }
  out.push('checked:');
  for (const c of r.checked) out.push(`  - ${c}`);
  out.push('cannot detect:');
  for (const c of r.cannotDetect) out.push(`  - ${c}`);
  return `${out.join('\n')}\n`;
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('verify, export and checkpoint the tamper-evident audit trail');

  audit
    .command('verify')
    .description('check the hash chain and the signed checkpoints; exit 0 when intact, 1 naming the first bad record')
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .option('--json', 'print the report as one JSON object')
    .action(
      action(async (o: { data?: string; json?: boolean }) => {
        await withControlRuntime(o, async (rt) => {
          const report = await audited(rt.audit, CLI_CONTEXT, 'audit-verify', null, () => rt.auditTrail.verify(), (r) => ({
            rowCount: r.records,
            objectIds: r.firstBad ? [`record:${r.firstBad.id}`] : [],
          }));
          process.stdout.write(o.json ? `${JSON.stringify(report)}\n` : describeReport(report));
          if (!report.intact) process.exitCode = EXIT.failure;
        });
      }),
    );

  audit
    .command('export')
    .description('write the trail as JSON lines with hashes and signed checkpoints, verifiable without Parallax')
    .option('--out <file>', 'write to this file (default stdout)')
    .option('--from <iso>', 'first instant included (ISO-8601)')
    .option('--to <iso>', 'first instant excluded (ISO-8601)')
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .action(
      action(async (o: { out?: string; from?: string; to?: string; data?: string }) => {
        const range = { from: instant('--from', o.from), to: instant('--to', o.to) };
        if (range.from && range.to && range.from >= range.to) throw new UsageError('--from must be before --to');
        await withControlRuntime(o, async (rt) => {
          const file = o.out ? resolve(o.out) : undefined;
          // The export holds who did what: readable by its owner only.
          const out = file ? createWriteStream(file, { mode: 0o600 }) : process.stdout;
          if (file) await once(out, 'open');
          const summary = await audited(rt.audit, CLI_CONTEXT, 'audit-export', `from=${range.from ? 'given' : 'start'} to=${range.to ? 'given' : 'end'}`, () => rt.auditTrail.export(out, range), (s) => ({
            rowCount: s.records,
          }));
          if (file) {
            out.end();
            await once(out, 'finish');
            process.stdout.write(`wrote ${summary.records.toLocaleString('en-US')} record(s) and ${summary.checkpoints} checkpoint(s) to ${file}\n`);
          }
        });
      }),
    );

  audit
    .command('checkpoint')
    .description('record the request and sign the head of the chain now (also done every 1,000 records, every minute under load, and at close)')
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .option('--json', 'print the checkpoint as JSON')
    .action(
      action(async (o: { data?: string; json?: boolean }) => {
        await withControlRuntime(o, async (rt) => {
          // The request is recorded first, so the checkpoint it produces covers it: there is always a new head to sign.
          await rt.audit.append({ event: 'audit-checkpoint', ...CLI_CONTEXT, outcome: 'allowed', detail: 'requested' });
          const cp = await rt.auditTrail.checkpoint();
          if (o.json) process.stdout.write(`${JSON.stringify(cp)}\n`);
          else if (cp) process.stdout.write(`head signed: record ${cp.lastEventId} (${cp.headHash.slice(0, 16)}…) with key ${cp.keyId}\n`);
          else process.stdout.write('nothing to sign: the trail is empty\n');
        });
      }),
    );
}
