/**
 * Hands a file the server produced to the browser's downloads. The app never builds an export itself:
 * every export goes through the server, which counts it against the download quota and writes it to the
 * disclosure ledger (access.md), so the bytes saved here are exactly what was counted.
 */
import type { Download } from '../api/client.ts';

export function saveDownload(d: Download): void {
  const url = URL.createObjectURL(d.blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = d.filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoked later: Chromium reads the blob after the click handler returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
