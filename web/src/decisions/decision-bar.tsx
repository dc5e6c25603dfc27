/**
 * Recording an analyst's decision (confirmed, false positive, escalate) on a watch-list hit or an anomaly,
 * with an optional note, and the decision in force. Decisions are kept by the server (a later one
 * supersedes); the bar shows the history the server returns after the write, never an assumed result.
 */
import { useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { Decision } from '../api/types.ts';
import { useSession } from '../session/session.tsx';

const DECISIONS = [
  { id: 'confirmed', label: 'Confirm' },
  { id: 'false_positive', label: 'False positive' },
  { id: 'escalate', label: 'Escalate' },
] as const;

export function DecisionBar({ subject, decisions, onDecided, confirmLabel = 'Confirm' }: { subject: { hit: string } | { anomaly: string }; decisions: readonly Decision[]; onDecided: () => void; confirmLabel?: string }) {
  const { api, can } = useSession();
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const last = decisions[decisions.length - 1];

  const decide = async (decision: (typeof DECISIONS)[number]['id']) => {
    setError(null);
    setBusy(true);
    try {
      await api.decide({ ...subject, decision, ...(note.trim() ? { note: note.trim() } : {}) });
      setNote('');
      onDecided();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The decision was not recorded.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="decision-bar">
      <p className="small" data-testid="decision-in-force">
        {last ? (
          <>
            Decision in force: <strong>{last.decision.replace('_', ' ')}</strong> by {last.decided_by}
            {last.decided_at ? ` on ${String(last.decided_at).slice(0, 16).replace('T', ' ')}` : ''}
            {last.note ? ` (“${last.note}”)` : ''}
            {decisions.length > 1 ? `; ${decisions.length - 1} earlier` : ''}
          </>
        ) : (
          'No decision yet.'
        )}
      </p>
      {can('decisions:write') && (
        <div className="toolbar">
          <label className="grow">
            Note for the decision
            <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={4000} />
          </label>
          {DECISIONS.map((d) => (
            <button key={d.id} type="button" disabled={busy} onClick={() => void decide(d.id)}>
              {d.id === 'confirmed' ? confirmLabel : d.label}
            </button>
          ))}
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
