/**
 * Where attempt cells go, and the source of a new `%%mlzero` cell: pure functions over a plain view of the
 * notebook's cells, used by the comm handler and the New-run form (and tested with jest).
 */

/** What placement needs to know about a cell. */
export interface ICellInfo {
  id: string;
  mlzero?: { run_id?: string; attempt?: number } | null;
}

/** Index of the cell holding `attempt` of `runId`, or -1. */
export function findAttemptCell(cells: ICellInfo[], runId: string, attempt: number): number {
  return cells.findIndex(c => c.mlzero?.run_id === runId && c.mlzero?.attempt === attempt);
}

/**
 * Where attempt `attempt` of `runId` is inserted, so that attempts stay in order below the `%%mlzero` cell:
 * after the run's highest earlier attempt; else right after the originating cell; else before the run's later
 * attempts; else (no originating cell id, or the cell was deleted) at the end.
 */
export function insertionIndex(
  cells: ICellInfo[],
  originCellId: string | null,
  runId: string,
  attempt: number
): number {
  let after = -1;
  let afterAttempt = -Infinity;
  cells.forEach((cell, index) => {
    const meta = cell.mlzero;
    if (meta?.run_id === runId && typeof meta.attempt === 'number' && meta.attempt < attempt) {
      if (meta.attempt > afterAttempt) {
        afterAttempt = meta.attempt;
        after = index;
      }
    }
  });
  if (after >= 0) {
    return after + 1;
  }
  const origin = originCellId === null ? -1 : cells.findIndex(c => c.id === originCellId);
  if (origin >= 0) {
    return origin + 1;
  }
  const firstLater = cells.findIndex(c => c.mlzero?.run_id === runId);
  return firstLater >= 0 ? firstLater : cells.length;
}

/** What the New-run form asks for. */
export interface INewRun {
  data: string;
  description: string;
  timeLimit: string;
  provider: string;
  model: string;
  guide: boolean;
}

/** A word for the magic line, quoted like a POSIX shell word when needed (the kernel splits with shlex). */
export function shellWord(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) {
    return word;
  }
  return `'${word.replace(/'/g, "'\"'\"'")}'`;
}

/** The `%%mlzero` cell for a new run: options on the magic line, the description as the body. */
export function mlzeroCellSource(run: INewRun): string {
  const words = ['%%mlzero', shellWord(run.data.trim() || '.')];
  if (run.timeLimit.trim()) {
    words.push('--time-limit', shellWord(run.timeLimit.trim()));
  }
  if (run.provider.trim()) {
    words.push('--provider', shellWord(run.provider.trim()));
  }
  if (run.model.trim()) {
    words.push('--model', shellWord(run.model.trim()));
  }
  if (run.guide) {
    words.push('--guide');
  }
  // `{` starts a notebook-variable field in the description; a form's text is literal
  const body = run.description.trim().replace(/\{/g, '{{').replace(/\}/g, '}}');
  return `${words.join(' ')}\n${body}`;
}

/** A file browser path (relative to the server root) as seen from the notebook's folder (the kernel's cwd). */
export function relativeToNotebook(notebookPath: string, target: string): string {
  const from = notebookPath.split('/').slice(0, -1).filter(Boolean);
  const to = target.split('/').filter(Boolean);
  let common = 0;
  while (common < from.length && common < to.length && from[common] === to[common]) {
    common++;
  }
  const parts = [...from.slice(common).map(() => '..'), ...to.slice(common)];
  return parts.join('/') || '.';
}
