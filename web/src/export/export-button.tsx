/**
 * A button that asks the server for an export and saves it, saying while it works and showing the
 * server's refusal (quota reached, too many lines, no export permission) as sent: those messages tell the
 * user what to do, and never carry row values.
 */
import { useState } from 'react';
import { ApiError, type Download } from '../api/client.ts';
import { saveDownload } from './save-download.ts';

export function ExportButton(p: { label: string; fetch: () => Promise<Download>; disabled?: boolean; className?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      saveDownload(await p.fetch());
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The export failed.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className={p.className} disabled={p.disabled || busy} onClick={() => void run()} aria-busy={busy}>
        {busy ? 'Exporting…' : p.label}
      </button>
      {error && (
        <span className="error small" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
