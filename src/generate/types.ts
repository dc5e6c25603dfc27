export interface GenerateOptions {
  /** Number of declaration lines (rows of declarations.csv). */
  rows: number;
  /** Any safe integer; the same seed and options give byte-identical files. */
  seed: number;
  outDir: string;
  /** First day of the period, 'YYYY-MM-DD' (default '2023-01-01'). */
  start?: string;
  /** Length of the period in months (default 24). */
  months?: number;
  /** Share of lines carrying an injected anomaly (default 0.01); 0 writes a clean data set. */
  anomalyRate?: number;
  onProgress?: (done: number, total: number, stage: string) => void;
}

export interface GenerateResult {
  outDir: string;
  files: { declarations: string; payments: string; mirror: string; labels: string; watchlist: string; manifest: string };
  /** Data rows per file (headers excluded), keyed like `files` minus the manifest. */
  counts: Record<string, number>;
  /** Labelled anomalies per detector id (every id of detectors.md is present, possibly 0). */
  anomalies: Record<string, number>;
}
