/**
 * The MLZero panel's state: runs heard live over the `mlzero` comm and runs found on disk by the server.
 *
 * Everything here is pure (no DOM, no JupyterLab): each function takes a state and returns a new one, so the
 * panel re-renders from a value and the logic is tested with jest.
 */

/** A run's status in the server's vocabulary (`STATUSES` of mlzero_jupyter/run_views.py). */
export type RunStatus = 'running' | 'success' | 'failed' | 'stopped' | 'interrupted' | 'damaged';

/** A run's status as the panel shows it: also `disconnected`, a live run whose comm closed before it finished. */
export type PanelRunStatus = RunStatus | 'disconnected';

const RUN_STATUSES: readonly string[] = ['running', 'success', 'failed', 'stopped', 'interrupted', 'damaged'];

/** `value` as a run status; a value outside the vocabulary counts as `failed`. */
export function runStatus(value: unknown): RunStatus {
  return RUN_STATUSES.includes(String(value)) ? (String(value) as RunStatus) : 'failed';
}

/** An attempt as the panel shows it. */
export interface IAttemptView {
  number: number;
  status: string;
  score: number | null;
  final: boolean;
  durationS: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}

/** A question the running run asks (`waiting_guidance` or `waiting_review`). */
export interface IQuestion {
  phase: string;
  attempt: number | null;
  text: string;
  /** Epoch ms after which the kernel goes on by itself; null: it waits for an answer (approval by default). */
  deadline: number | null;
  /** The code awaiting approval (`waiting_review`), and the code policy's concerns about it. */
  code: string | null;
  concerns: string[];
}

/** A run as the panel shows it. */
export interface IRunView {
  runId: string;
  /** Absolute folder (from the kernel) or null for a run only known to the server. */
  runDir: string | null;
  /** Folder relative to the server root (from the server). */
  path: string | null;
  /** The `%%mlzero` cell that started the run, when the frontend sent its id. */
  cellId: string | null;
  /** The kernel the run is live in; null for past runs. */
  kernelId: string | null;
  live: boolean;
  status: PanelRunStatus;
  phase: string;
  task: string;
  metric: string | null;
  score: number | null;
  bestAttempt: number | null;
  currentAttempt: number | null;
  attemptTimeLimit: number | null;
  attemptStartedAt: number | null;
  attempts: IAttemptView[];
  question: IQuestion | null;
  solutionNotebook: string | null;
  attemptsNotebook: string | null;
  updatedAt: number;
}

export interface IPanelState {
  runs: { [runId: string]: IRunView };
}

/** What the kernel sends at `comm_open`. */
export interface ICommOpen {
  protocol?: number;
  run_id: string;
  cell_id?: string | null;
  run_dir?: string | null;
}

/** A message from the kernel on the comm (see protocol.md). */
export interface IKernelMessage {
  type: string;
  run_id: string;
  cell_id?: string | null;
  attempt?: number;
  metadata?: { mlzero?: { status?: string; score?: number | null; final?: boolean } };
  [key: string]: unknown;
}

/** One run of `GET /mlzero/runs`. */
export interface IServerRun {
  run_id: string;
  path: string;
  status: RunStatus;
  metric: string | null;
  score: number | null;
  attempts: number;
  task: string;
  modified: number; // epoch seconds
  solution_notebook: string | null;
  attempts_notebook: string | null;
}

/** An attempt record of `GET /mlzero/runs/<id>` (the AttemptRecord of result.json or events.jsonl). */
export interface IServerAttempt {
  number: number;
  status: string;
  score?: number | null;
  metric?: string | null;
  duration_s?: number;
  input_tokens?: number;
  output_tokens?: number;
  cost_usd?: number;
}

/** `GET /mlzero/runs/<id>`. */
export interface IServerRunDetail extends IServerRun {
  best_attempt: number | null;
  attempt_records: IServerAttempt[];
}

export function emptyState(): IPanelState {
  return { runs: {} };
}

export const RUNNING_STATUSES: readonly PanelRunStatus[] = ['running'];
/** Statuses a run can be resumed from (`RESUMABLE_STATUSES` of run_views.py, and a run whose comm closed early). */
export const RESUMABLE_STATUSES: readonly PanelRunStatus[] = ['stopped', 'failed', 'interrupted', 'disconnected'];

function newRun(runId: string, now: number): IRunView {
  return {
    runId,
    runDir: null,
    path: null,
    cellId: null,
    kernelId: null,
    live: false,
    status: 'running',
    phase: '',
    task: '',
    metric: null,
    score: null,
    bestAttempt: null,
    currentAttempt: null,
    attemptTimeLimit: null,
    attemptStartedAt: null,
    attempts: [],
    question: null,
    solutionNotebook: null,
    attemptsNotebook: null,
    updatedAt: now
  };
}

function withRun(
  state: IPanelState,
  runId: string,
  now: number,
  change: (run: IRunView) => Partial<IRunView>
): IPanelState {
  const run = state.runs[runId] ?? newRun(runId, now);
  return { runs: { ...state.runs, [runId]: { ...run, ...change(run), updatedAt: now } } };
}

function blankAttempt(number: number): IAttemptView {
  return {
    number,
    status: 'running',
    score: null,
    final: false,
    durationS: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null
  };
}

/** Replace or add one attempt, keeping the list in attempt order. */
export function upsertAttempt(attempts: IAttemptView[], number: number, change: Partial<IAttemptView>): IAttemptView[] {
  const found = attempts.find(a => a.number === number);
  const updated = { ...(found ?? blankAttempt(number)), ...change, number };
  const others = attempts.filter(a => a.number !== number);
  return [...others, updated].sort((a, b) => a.number - b.number);
}

/** The kernel opened a comm for a run: it is live in that kernel. */
export function runOpened(state: IPanelState, open: ICommOpen, kernelId: string, now: number): IPanelState {
  return withRun(state, open.run_id, now, () => ({
    runDir: open.run_dir ?? null,
    cellId: open.cell_id ?? null,
    kernelId,
    live: true,
    status: 'running',
    phase: 'started'
  }));
}

/** The comm closed (the run ended, or the kernel went away before it said so). */
export function runClosed(state: IPanelState, runId: string, now: number): IPanelState {
  if (!state.runs[runId]) {
    return state;
  }
  return withRun(state, runId, now, run => ({
    live: false,
    status: RUNNING_STATUSES.includes(run.status) ? 'disconnected' : run.status,
    question: null
  }));
}

/** A kernel message (insert_cell, update_cell, run_state) applied to the state. */
export function applyMessage(state: IPanelState, message: IKernelMessage, now: number): IPanelState {
  if (message.type === 'insert_cell' || message.type === 'update_cell') {
    return applyCell(state, message, now);
  }
  if (message.type === 'run_state') {
    return applyRunState(state, message, now);
  }
  return state;
}

function applyCell(state: IPanelState, message: IKernelMessage, now: number): IPanelState {
  const meta = message.metadata?.mlzero ?? {};
  const number = Number(message.attempt);
  if (!Number.isFinite(number)) {
    return state;
  }
  return withRun(state, message.run_id, now, run => {
    const attempts = upsertAttempt(run.attempts, number, {
      status: meta.status ?? 'running',
      score: meta.score ?? null,
      final: Boolean(meta.final)
    });
    const marked = meta.final ? attempts.map(a => ({ ...a, final: a.number === number })) : attempts;
    return { attempts: marked, cellId: run.cellId ?? message.cell_id ?? null };
  });
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The data of the kernel's `comm_open`, as the panel reads it. */
export function commOpen(data: { [key: string]: unknown }): ICommOpen {
  return {
    protocol: num(data.protocol) ?? undefined,
    run_id: String(data.run_id ?? ''),
    cell_id: text(data.cell_id),
    run_dir: text(data.run_dir)
  };
}

/** A message the kernel sent on the comm of run `runId`, as the panel reads it. */
export function kernelMessage(data: { [key: string]: unknown }, runId: string): IKernelMessage {
  return { ...data, type: String(data.type ?? ''), run_id: text(data.run_id) ?? runId };
}

function applyRunState(state: IPanelState, message: IKernelMessage, now: number): IPanelState {
  const phase = String(message.phase ?? '');
  const attempt = num(message.attempt);
  return withRun(state, message.run_id, now, run => {
    switch (phase) {
      case 'started':
        return { phase, status: 'running', runDir: text(message.run_dir) ?? run.runDir };
      case 'attempt_running':
        return {
          phase,
          question: null,
          currentAttempt: attempt,
          attemptTimeLimit: num(message.time_limit),
          attemptStartedAt: now,
          attempts: attempt === null ? run.attempts : upsertAttempt(run.attempts, attempt, { status: 'running' })
        };
      case 'attempt_finished':
        return {
          phase,
          question: null,
          attemptStartedAt: null,
          attempts:
            attempt === null
              ? run.attempts
              : upsertAttempt(run.attempts, attempt, {
                  status: String(message.status ?? 'failed'),
                  score: num(message.score)
                })
        };
      case 'waiting_guidance':
      case 'waiting_review': {
        const timeout = num(message.timeout_s);
        return {
          phase,
          question: {
            phase,
            attempt,
            text: String(message.question ?? message.summary ?? ''),
            deadline: timeout === null ? null : now + 1000 * timeout,
            code: typeof message.code === 'string' ? message.code : null,
            concerns: Array.isArray(message.concerns) ? message.concerns.map(String) : []
          }
        };
      }
      case 'review_answered':
        // answered here, in the cell or in another tab: the first answer counts, the question is gone
        return { question: null };
      case 'finished':
        return {
          phase,
          question: null,
          status: runStatus(message.status ?? 'failed'),
          bestAttempt: num(message.best_attempt),
          score: num(message.score),
          currentAttempt: null,
          attemptStartedAt: null,
          attemptsNotebook: text(message.attempts_notebook) ?? run.attemptsNotebook
        };
      default:
        return {};
    }
  });
}

/** Runs listed by the server: added as past runs; what the kernel said about a live run is kept. */
export function applyServerRuns(state: IPanelState, runs: IServerRun[]): IPanelState {
  let next = state;
  for (const found of runs) {
    const current = next.runs[found.run_id];
    const live = current?.live ?? false;
    // a past run is ordered by the time its folder last changed; a live one keeps its own clock
    const stamp = live ? current.updatedAt : found.modified * 1000;
    next = withRun(next, found.run_id, stamp, run => ({
      ...serverFields(found),
      ...(live ? {} : { status: found.status, score: found.score, task: found.task || run.task })
    }));
  }
  return next;
}

function serverFields(found: IServerRun): Partial<IRunView> {
  return {
    path: found.path,
    solutionNotebook: found.solution_notebook,
    attemptsNotebook: found.attempts_notebook,
    metric: found.metric
  };
}

/** A run's details from the server: time, tokens and cost per attempt (the kernel's messages carry none). */
export function applyRunDetail(state: IPanelState, detail: IServerRunDetail): IPanelState {
  const next = applyServerRuns(state, [detail]);
  return withRun(next, detail.run_id, next.runs[detail.run_id].updatedAt, run => {
    let attempts = run.attempts;
    for (const record of detail.attempt_records) {
      // while a run is live, the kernel's messages are newer than the file written after each attempt
      const heard = run.live && attempts.some(a => a.number === record.number);
      attempts = upsertAttempt(attempts, record.number, {
        ...(heard ? {} : { status: record.status, score: record.score ?? null }),
        durationS: num(record.duration_s),
        inputTokens: num(record.input_tokens),
        outputTokens: num(record.output_tokens),
        costUsd: num(record.cost_usd)
      });
    }
    if (run.live) {
      return { attempts };
    }
    const best = detail.best_attempt;
    return { attempts: attempts.map(a => ({ ...a, final: a.number === best })), bestAttempt: best };
  });
}

/** Runs to show: live ones of the given kernel first (newest first), then the others, newest first. */
export function visibleRuns(state: IPanelState, kernelId: string | null): IRunView[] {
  const rank = (run: IRunView): number => (run.live && run.kernelId === kernelId ? 0 : run.live ? 1 : 2);
  return Object.values(state.runs).sort((a, b) => rank(a) - rank(b) || b.updatedAt - a.updatedAt);
}

/** What the panel offers on a run. */
export interface IActions {
  stop: boolean;
  guide: boolean;
  resume: boolean;
  review: boolean;
  export: boolean;
}

/** Stop and guidance go to live runs only, review to a live run whose code awaits approval; resume to runs
 * that ended without success; export to a run that is not running, has a valid score and that the server can
 * find (below its root). */
export function availableActions(run: IRunView): IActions {
  const running = run.live && RUNNING_STATUSES.includes(run.status);
  return {
    stop: running,
    guide: running,
    resume: !run.live && RESUMABLE_STATUSES.includes(run.status) && run.runDir !== null,
    review: running && run.question?.phase === 'waiting_review',
    export: !running && run.score !== null && run.path !== null
  };
}

/** The valid attempts' scores in attempt order, for the score-over-time chart: x and y in [0, 1] (higher is up
 * for the best score seen, whatever the metric's direction, since only the run's own scores are drawn). */
export function scorePoints(run: IRunView): { attempt: number; score: number; x: number; y: number }[] {
  const scored = run.attempts.filter(a => a.score !== null && a.score !== undefined);
  if (scored.length === 0) {
    return [];
  }
  const scores = scored.map(a => a.score as number);
  const low = Math.min(...scores);
  const span = Math.max(...scores) - low;
  const last = Math.max(...run.attempts.map(a => a.number));
  return scored.map(a => ({
    attempt: a.number,
    score: a.score as number,
    x: last > 1 ? (a.number - 1) / (last - 1) : 0.5,
    y: span > 0 ? ((a.score as number) - low) / span : 0.5
  }));
}

/** A one-line progress text and, while an attempt runs, the fraction of its time limit used. */
export function progress(run: IRunView, now: number): { text: string; fraction: number | null } {
  const done = run.attempts.filter(a => a.status !== 'running').length;
  if (run.question) {
    const what = run.question.phase === 'waiting_review' ? 'approval' : 'guidance';
    if (run.question.deadline === null) {
      return { text: `waiting for ${what}`, fraction: null };
    }
    const left = Math.max(0, Math.round((run.question.deadline - now) / 1000));
    return { text: `waiting for ${what} (${left} s)`, fraction: null };
  }
  if (run.live && run.currentAttempt !== null && run.attemptStartedAt !== null) {
    const elapsed = (now - run.attemptStartedAt) / 1000;
    const limit = run.attemptTimeLimit;
    const fraction = limit ? Math.min(1, elapsed / limit) : null;
    const of = limit ? ` of ${formatDuration(limit)}` : '';
    return { text: `attempt ${run.currentAttempt} running, ${formatDuration(elapsed)}${of}`, fraction };
  }
  const plural = done === 1 ? '' : 's';
  return { text: `${done} attempt${plural} ${run.live ? 'so far' : 'made'}`, fraction: null };
}

export function formatScore(score: number | null, metric?: string | null): string {
  if (score === null || score === undefined) {
    return '–';
  }
  const value = Number(score.toPrecision(5)).toString();
  return metric ? `${metric} ${value}` : value;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) {
    return '–';
  }
  if (seconds < 60) {
    return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - 60 * minutes)} s`;
}

export function formatTokens(input: number | null, output: number | null): string {
  if (!input && !output) {
    return '–';
  }
  return `${input ?? 0} in / ${output ?? 0} out`;
}

export function formatCost(cost: number | null): string {
  return cost ? `$${cost.toFixed(4)}` : '–';
}
