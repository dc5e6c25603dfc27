/**
 * Errors about a user's input file. They name the file, the line and the field, say what to do, and never
 * quote cell values (a value may be a tax id or a name: errors end up in logs).
 */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly field: string | null,
    readonly problem: string,
    readonly hint: string,
  ) {
    super(
      `${file}${line !== null ? `:${line}` : ''}${field ? `: field "${field}"` : ''}: ${problem}. ${hint}`,
    );
    this.name = 'InputError';
  }
}
