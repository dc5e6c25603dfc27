/**
 * Retention and legal holds: each category's retention period, the holds that block purges (active and
 * released, never deleted), past purges, and a preview of what a purge would remove now. A security
 * administrator (retention:manage) changes periods, places and releases holds and runs the purge, each
 * with a written reason; the purge asks to be confirmed by typing "purge", since it removes data for good.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import type { LegalHold, PurgeReport, RetentionPolicy, RetentionView as RetentionData } from '../api/types.ts';
import { formatInt } from '../format/number-format.ts';
import { useApi } from '../session/session.tsx';

type HoldKind = LegalHold['kind'];
const basisLabel = (b: RetentionPolicy['basis']) => (b === 'loaded' ? 'from loading' : "from the record's date");

export function RetentionView({ canManage }: { canManage: boolean }) {
  const api = useApi();
  const [data, setData] = useState<RetentionData | null>(null);
  const [preview, setPreview] = useState<PurgeReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ category: string; years: string; basis: RetentionPolicy['basis']; reason: string } | null>(null);
  const [hold, setHold] = useState<{ kind: HoldKind; target: string; reason: string }>({ kind: 'batch', target: '', reason: '' });
  const [release, setRelease] = useState<{ id: number; reason: string } | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    api.retention().then(setData, (e: unknown) => setError(e instanceof ApiError ? e.message : 'Retention settings could not be loaded.'));
  }, [api]);
  useEffect(() => {
    load();
  }, [load]);

  const act = async <T,>(done: string | ((r: T) => string), fn: () => Promise<T>) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const r = await fn();
      setMessage(typeof done === 'string' ? done : done(r));
      setPreview(null);
      load();
      return true;
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The change could not be made.');
      return false;
    } finally {
      setBusy(false);
    }
  };

  const runPreview = async () => {
    setBusy(true);
    setError(null);
    try {
      setPreview(await api.retentionPreview());
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The preview could not be computed.');
    } finally {
      setBusy(false);
    }
  };

  const saveEdit = (e: FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    const p = editing;
    void act(`Retention of ${p.category} set to ${p.years} years ${basisLabel(p.basis)}.`, () => api.setRetention(p.category, { years: Number(p.years), basis: p.basis, reason: p.reason.trim() })).then((ok) => ok && setEditing(null));
  };
  const placeHold = (e: FormEvent) => {
    e.preventDefault();
    void act(`Legal hold placed on ${hold.kind} ${hold.target.trim()}.`, () => api.placeHold({ kind: hold.kind, target: hold.target.trim(), reason: hold.reason.trim() })).then((ok) => ok && setHold({ ...hold, target: '', reason: '' }));
  };
  const saveRelease = (e: FormEvent) => {
    e.preventDefault();
    if (!release) return;
    const r = release;
    void act(`Legal hold ${r.id} released.`, () => api.releaseHold(r.id, r.reason.trim())).then((ok) => ok && setRelease(null));
  };
  const runPurge = (e: FormEvent) => {
    e.preventDefault();
    void act((r: PurgeReport) => `Purge ${r.purgeId}: ${formatInt(r.rowsRemoved)} rows removed.`, () => api.purge()).then((ok) => ok && setConfirm(null));
  };

  return (
    <section aria-labelledby="retention-title" className="stack">
      {message && (
        <p className="notice" role="status">
          {message}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <h2 id="retention-title">Retention periods</h2>
      {data && (
        <div className="scroll-x" tabIndex={0} role="region" aria-label="Retention periods table">
          <table className="plain" data-testid="retention-table">
            <thead>
              <tr>
                <th>Category</th>
                <th>Kept for</th>
                <th>Set by</th>
                <th>Reason</th>
                {canManage && <th aria-label="Actions" />}
              </tr>
            </thead>
            <tbody>
              {data.policies.map((p) => (
                <tr key={p.category}>
                  <td>{p.category}</td>
                  <td>
                    {p.years} years {basisLabel(p.basis)}
                  </td>
                  <td>{p.setBy ? `${p.setBy}, ${p.setAt?.slice(0, 10)}` : 'default'}</td>
                  <td className="small">{p.reason ?? ''}</td>
                  {canManage && (
                    <td>
                      <button type="button" onClick={() => setEditing({ category: p.category, years: String(p.years), basis: p.basis, reason: '' })}>
                        Change
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <form className="panel" aria-label={`Retention of ${editing.category}`} onSubmit={saveEdit}>
          <div className="panel-body toolbar">
            <label>
              Years
              <input type="number" min={1} max={100} value={editing.years} onChange={(e) => setEditing({ ...editing, years: e.target.value })} required />
            </label>
            <label>
              Counted
              <select value={editing.basis} onChange={(e) => setEditing({ ...editing, basis: e.target.value as RetentionPolicy['basis'] })}>
                <option value="loaded">from loading</option>
                <option value="record-date">from the record's date</option>
              </select>
            </label>
            <label className="grow">
              Reason (kept with the setting)
              <input value={editing.reason} onChange={(e) => setEditing({ ...editing, reason: e.target.value })} required minLength={3} placeholder="e.g. records retention schedule, item 12" />
            </label>
            <button type="submit" className="primary" disabled={busy}>
              Save
            </button>
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}

      <h2>Legal holds</h2>
      {data && data.holds.length === 0 && <p className="muted">No legal holds have been placed.</p>}
      {data && data.holds.length > 0 && (
        <div className="scroll-x" tabIndex={0} role="region" aria-label="Legal holds table">
          <table className="plain" data-testid="holds-table">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>On</th>
                <th>Reason</th>
                <th>Placed</th>
                <th>Released</th>
                {canManage && <th aria-label="Actions" />}
              </tr>
            </thead>
            <tbody>
              {data.holds.map((h) => (
                <tr key={h.id}>
                  <td className="num">{h.id}</td>
                  <td>
                    {h.kind} <span className="mono">{h.target}</span>
                  </td>
                  <td className="small">{h.reason}</td>
                  <td className="small nowrap">
                    {h.placedBy}, {h.placedAt.slice(0, 10)}
                  </td>
                  <td className="small">{h.releasedAt ? `${h.releasedBy}, ${h.releasedAt.slice(0, 10)}: ${h.releaseReason ?? ''}` : <strong>active</strong>}</td>
                  {canManage && (
                    <td>
                      {!h.releasedAt && (
                        <button type="button" onClick={() => setRelease({ id: h.id, reason: '' })}>
                          Release
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {release && (
        <form className="panel" aria-label={`Release hold ${release.id}`} onSubmit={saveRelease}>
          <div className="panel-body toolbar">
            <label className="grow">
              Reason to release hold {release.id} (kept with the hold)
              <input value={release.reason} onChange={(e) => setRelease({ ...release, reason: e.target.value })} required minLength={3} autoFocus />
            </label>
            <button type="submit" className="primary" disabled={busy}>
              Release
            </button>
            <button type="button" onClick={() => setRelease(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {canManage && (
        <form className="panel" aria-label="Place a legal hold" onSubmit={placeHold}>
          <div className="panel-body toolbar">
            <label>
              Hold
              <select value={hold.kind} onChange={(e) => setHold({ ...hold, kind: e.target.value as HoldKind })}>
                <option value="batch">a batch</option>
                <option value="provider">a provider</option>
                <option value="category">a category</option>
              </select>
            </label>
            <label>
              {hold.kind === 'batch' ? 'Batch id' : hold.kind === 'provider' ? 'Provider code' : 'Category'}
              <input value={hold.target} onChange={(e) => setHold({ ...hold, target: e.target.value })} required placeholder={hold.kind === 'batch' ? 'B000001' : hold.kind === 'provider' ? 'US' : 'trade'} />
            </label>
            <label className="grow">
              Case, order or request behind the hold
              <input value={hold.reason} onChange={(e) => setHold({ ...hold, reason: e.target.value })} required minLength={3} />
            </label>
            <button type="submit" className="primary" disabled={busy}>
              Place hold
            </button>
          </div>
        </form>
      )}

      <h2>Purge</h2>
      <div className="toolbar">
        <button type="button" onClick={() => void runPreview()} disabled={busy}>
          Preview what a purge would remove
        </button>
        {canManage && (
          <button type="button" className="danger" onClick={() => setConfirm('')} disabled={busy}>
            Purge expired data…
          </button>
        )}
      </div>
      {confirm !== null && (
        <form className="panel" aria-label="Confirm the purge" onSubmit={runPurge}>
          <div className="panel-body toolbar">
            <label className="grow">
              A purge removes expired rows for good (legal holds are respected). Type purge to confirm.
              <input value={confirm} onChange={(e) => setConfirm(e.target.value)} autoFocus />
            </label>
            <button type="submit" className="primary" disabled={busy || confirm !== 'purge'}>
              Purge now
            </button>
            <button type="button" onClick={() => setConfirm(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {preview && (
        <div className="panel" data-testid="purge-preview" role="status">
          <div className="panel-head">
            <h3>
              Preview as of {preview.asOf.slice(0, 10)}: {formatInt(preview.rowsRemoved)} rows would be removed
            </h3>
          </div>
          <div className="panel-body scroll-x" tabIndex={0} role="region" aria-label="Purge preview table">
            <table className="plain">
              <thead>
                <tr>
                  <th>Dataset</th>
                  <th>Rule</th>
                  <th>Cut-off</th>
                  <th className="num">Would be removed</th>
                  <th className="num">Kept by holds</th>
                </tr>
              </thead>
              <tbody>
                {preview.datasets.map((d) => (
                  <tr key={d.dataset}>
                    <td>{d.dataset}</td>
                    <td>
                      {d.years} years {basisLabel(d.basis)}
                    </td>
                    <td className="nowrap">{d.cutoff}</td>
                    <td className="num">{formatInt(d.rowsRemoved)}</td>
                    <td className="num">{formatInt(d.rowsHeld)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="muted small">
              With them: {formatInt(preview.derived.anomalies)} anomalies, {formatInt(preview.derived.partyReferences)} party references, {formatInt(preview.derived.partyEdges)} graph edges,{' '}
              {formatInt(preview.derived.watchlistHits)} watch-list hits and {formatInt(preview.derived.quarantinedLines)} quarantined input lines.
            </p>
          </div>
        </div>
      )}
      {data && data.purges.length > 0 && (
        <div className="scroll-x" tabIndex={0} role="region" aria-label="Past purges table">
          <table className="plain" data-testid="purges-table">
            <caption className="muted small">Past purges</caption>
            <thead>
              <tr>
                <th className="num">#</th>
                <th>When (UTC)</th>
                <th>By</th>
                <th className="num">Rows removed</th>
              </tr>
            </thead>
            <tbody>
              {data.purges.map((p) => (
                <tr key={p.id}>
                  <td className="num">{p.id}</td>
                  <td className="nowrap">{p.at.slice(0, 16).replace('T', ' ')}</td>
                  <td>{p.principal}</td>
                  <td className="num">{formatInt(p.rowsRemoved)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
