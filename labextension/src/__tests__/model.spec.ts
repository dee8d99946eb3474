import {
  applyMessage,
  applyRunDetail,
  applyServerRuns,
  availableActions,
  commOpen,
  emptyState,
  formatCost,
  formatDuration,
  formatScore,
  formatTokens,
  IKernelMessage,
  IPanelState,
  IServerRun,
  IServerRunDetail,
  kernelMessage,
  progress,
  runClosed,
  runOpened,
  runStatus,
  scorePoints,
  visibleRuns
} from '../model';

const RUN = '20260101-titanic-a1b2c3';
const T0 = 1_700_000_000_000;

function cell(
  type: string,
  attempt: number,
  status: string,
  score: number | null = null,
  final = false
): IKernelMessage {
  return {
    type,
    run_id: RUN,
    cell_id: 'origin',
    attempt,
    source: `# attempt ${attempt}`,
    metadata: { mlzero: { status, score, final } }
  };
}

function state(run_state: Record<string, unknown>, base: IPanelState = opened()): IPanelState {
  return applyMessage(base, { type: 'run_state', run_id: RUN, cell_id: 'origin', ...run_state }, T0 + 5000);
}

function opened(): IPanelState {
  return runOpened(emptyState(), { run_id: RUN, cell_id: 'origin', run_dir: '/r/' + RUN }, 'kernel-1', T0);
}

function serverRun(overrides: Partial<IServerRun> = {}): IServerRun {
  return {
    run_id: 'old-run',
    path: 'mlzero-runs/old-run',
    status: 'success',
    metric: 'rmse',
    score: 1.25,
    attempts: 2,
    task: 'predict prices',
    modified: 1_600_000_000,
    solution_notebook: 'mlzero-runs/old-run/solution.ipynb',
    attempts_notebook: null,
    ...overrides
  };
}

describe('live runs from the comm', () => {
  it('opens a run as live in its kernel', () => {
    const run = opened().runs[RUN];
    expect(run).toMatchObject({ live: true, kernelId: 'kernel-1', status: 'running', cellId: 'origin' });
    expect(run.runDir).toBe('/r/' + RUN);
  });

  it('keeps attempts in order whatever order their cells come in', () => {
    let s = applyMessage(opened(), cell('insert_cell', 2, 'running'), T0);
    s = applyMessage(s, cell('insert_cell', 1, 'failed'), T0);
    s = applyMessage(s, cell('update_cell', 2, 'success', 0.91), T0);
    expect(s.runs[RUN].attempts.map(a => [a.number, a.status, a.score])).toEqual([
      [1, 'failed', null],
      [2, 'success', 0.91]
    ]);
  });

  it('an update of the same attempt replaces it instead of adding one', () => {
    let s = applyMessage(opened(), cell('insert_cell', 1, 'running'), T0);
    s = applyMessage(s, cell('insert_cell', 1, 'success', 0.8), T0);
    expect(s.runs[RUN].attempts).toHaveLength(1);
    expect(s.runs[RUN].attempts[0].status).toBe('success');
  });

  it('marks only the final attempt final', () => {
    let s = applyMessage(opened(), cell('update_cell', 1, 'success', 0.7), T0);
    s = applyMessage(s, cell('update_cell', 2, 'success', 0.9), T0);
    s = applyMessage(s, cell('update_cell', 2, 'success', 0.9, true), T0);
    expect(s.runs[RUN].attempts.map(a => a.final)).toEqual([false, true]);
  });

  it('follows the phases and shows progress within the time limit', () => {
    const running = state({ phase: 'attempt_running', attempt: 1, summary: 'baseline', time_limit: 100 });
    expect(running.runs[RUN].currentAttempt).toBe(1);
    expect(progress(running.runs[RUN], T0 + 5000 + 25_000)).toEqual({
      text: 'attempt 1 running, 25 s of 1 min 40 s',
      fraction: 0.25
    });
    const done = state({ phase: 'attempt_finished', attempt: 1, status: 'failed', score: null }, running);
    expect(done.runs[RUN].attempts[0].status).toBe('failed');
    expect(progress(done.runs[RUN], T0)).toEqual({ text: '1 attempt so far', fraction: null });
  });

  it('shows a question with the seconds left until the kernel goes on', () => {
    const s = state({ phase: 'waiting_guidance', attempt: 1, next_attempt: 2, question: 'Guidance?', timeout_s: 60 });
    expect(s.runs[RUN].question).toMatchObject({ phase: 'waiting_guidance', text: 'Guidance?' });
    expect(progress(s.runs[RUN], T0 + 5000 + 20_000).text).toBe('waiting for guidance (40 s)');
    const next = state({ phase: 'attempt_running', attempt: 2, time_limit: 50 }, s);
    expect(next.runs[RUN].question).toBeNull();
  });

  it('an approval waits without a deadline, offers review, and is gone once answered anywhere', () => {
    const s = state({
      phase: 'waiting_review',
      attempt: 1,
      code: 'print(1)',
      summary: 'a plan',
      concerns: ['network'],
      timeout_s: null
    });
    expect(s.runs[RUN].question).toMatchObject({
      phase: 'waiting_review',
      code: 'print(1)',
      concerns: ['network'],
      deadline: null,
      text: 'a plan'
    });
    expect(progress(s.runs[RUN], T0 + 600_000).text).toBe('waiting for approval');
    expect(availableActions({ ...s.runs[RUN], live: true, status: 'running' }).review).toBe(true);
    const answered = state({ phase: 'review_answered', attempt: 1, action: 'approve', by: 'widget' }, s);
    expect(answered.runs[RUN].question).toBeNull();
    expect(availableActions({ ...answered.runs[RUN], live: true, status: 'running' }).review).toBe(false);
  });

  it('places the valid scores of a run for its chart, failed attempts left out', () => {
    let s = state({ phase: 'attempt_finished', attempt: 1, status: 'success', score: 0.8 });
    s = state({ phase: 'attempt_finished', attempt: 2, status: 'failed', score: null }, s);
    s = state({ phase: 'attempt_finished', attempt: 3, status: 'success', score: 0.9 }, s);
    expect(scorePoints(s.runs[RUN])).toEqual([
      { attempt: 1, score: 0.8, x: 0, y: 0 },
      { attempt: 3, score: 0.9, x: 1, y: 1 }
    ]);
    const failed = state({ phase: 'attempt_finished', attempt: 1, status: 'failed', score: null });
    expect(scorePoints(failed.runs[RUN])).toEqual([]);
  });

  it('records how the run finished', () => {
    const s = state({
      phase: 'finished',
      status: 'success',
      best_attempt: 2,
      score: 0.97,
      attempts_notebook: '/r/a.ipynb'
    });
    expect(s.runs[RUN]).toMatchObject({
      status: 'success',
      bestAttempt: 2,
      score: 0.97,
      attemptsNotebook: '/r/a.ipynb'
    });
  });

  it('a comm closed before the run finished leaves it disconnected; after, its status stays', () => {
    expect(runClosed(opened(), RUN, T0).runs[RUN]).toMatchObject({ live: false, status: 'disconnected' });
    const finished = state({ phase: 'finished', status: 'stopped', best_attempt: null, score: null });
    expect(runClosed(finished, RUN, T0).runs[RUN]).toMatchObject({ live: false, status: 'stopped' });
    expect(runClosed(emptyState(), 'unknown', T0)).toEqual(emptyState());
  });

  it('reads the comm data by field: a message without a run id belongs to its comm, a status outside the vocabulary fails', () => {
    expect(commOpen({ run_id: RUN, cell_id: 7, run_dir: '/runs/x' })).toMatchObject({
      run_id: RUN,
      cell_id: null,
      run_dir: '/runs/x'
    });
    expect(kernelMessage({ type: 'run_state', phase: 'started' }, RUN)).toMatchObject({
      type: 'run_state',
      run_id: RUN,
      phase: 'started'
    });
    expect(kernelMessage({ run_id: 'other' }, RUN)).toMatchObject({ type: '', run_id: 'other' });
    expect([runStatus('stopped'), runStatus('interrupted'), runStatus('started'), runStatus(undefined)]).toEqual([
      'stopped',
      'interrupted',
      'failed',
      'failed'
    ]);
  });

  it('ignores messages it does not know and cells without an attempt number', () => {
    const s = opened();
    expect(applyMessage(s, { type: 'something_new', run_id: RUN }, T0)).toBe(s);
    expect(applyMessage(s, { type: 'insert_cell', run_id: RUN }, T0)).toBe(s);
  });
});

describe('runs from the server', () => {
  it('adds past runs with their paths and notebooks', () => {
    const s = applyServerRuns(emptyState(), [serverRun()]);
    expect(s.runs['old-run']).toMatchObject({
      live: false,
      status: 'success',
      score: 1.25,
      metric: 'rmse',
      task: 'predict prices',
      path: 'mlzero-runs/old-run',
      solutionNotebook: 'mlzero-runs/old-run/solution.ipynb',
      updatedAt: 1_600_000_000_000
    });
  });

  it('does not overwrite what the kernel says about a live run', () => {
    const live = state({ phase: 'attempt_running', attempt: 1, time_limit: 10 });
    const s = applyServerRuns(live, [serverRun({ run_id: RUN, status: 'running', score: null })]);
    expect(s.runs[RUN]).toMatchObject({ live: true, status: 'running', path: 'mlzero-runs/old-run' });
    expect(s.runs[RUN].updatedAt).toBe(live.runs[RUN].updatedAt);
  });

  it('adds time, tokens and cost per attempt from the detail', () => {
    const detail: IServerRunDetail = {
      ...serverRun(),
      best_attempt: 2,
      attempt_records: [
        { number: 1, status: 'failed', duration_s: 3.5 },
        {
          number: 2,
          status: 'success',
          score: 1.25,
          duration_s: 70,
          input_tokens: 1200,
          output_tokens: 300,
          cost_usd: 0.0123
        }
      ]
    };
    const run = applyRunDetail(emptyState(), detail).runs['old-run'];
    expect(run.bestAttempt).toBe(2);
    expect(run.attempts.map(a => [a.number, a.status, a.final, a.durationS])).toEqual([
      [1, 'failed', false, 3.5],
      [2, 'success', true, 70]
    ]);
    expect(run.attempts[1]).toMatchObject({ inputTokens: 1200, outputTokens: 300, costUsd: 0.0123 });
  });

  it('keeps the kernel status of a live attempt, and takes its cost from the detail', () => {
    let live = applyMessage(opened(), cell('update_cell', 1, 'success', 0.9), T0);
    live = applyMessage(live, cell('insert_cell', 2, 'running'), T0);
    const detail: IServerRunDetail = {
      ...serverRun({ run_id: RUN, status: 'running' }),
      best_attempt: null,
      attempt_records: [{ number: 1, status: 'failed', duration_s: 9, cost_usd: 0.5 }]
    };
    const run = applyRunDetail(live, detail).runs[RUN];
    expect(run.attempts.map(a => [a.status, a.durationS, a.costUsd])).toEqual([
      ['success', 9, 0.5],
      ['running', null, null]
    ]);
  });
});

describe('what the panel shows', () => {
  it('lists the active kernel live runs first, then other live runs, then the newest past runs', () => {
    let s = applyServerRuns(emptyState(), [
      serverRun({ run_id: 'older', modified: 1000 }),
      serverRun({ run_id: 'newer', modified: 2000 })
    ]);
    s = runOpened(s, { run_id: 'other-kernel' }, 'kernel-2', T0 + 10);
    s = runOpened(s, { run_id: 'mine' }, 'kernel-1', T0);
    expect(visibleRuns(s, 'kernel-1').map(r => r.runId)).toEqual(['mine', 'other-kernel', 'newer', 'older']);
    expect(visibleRuns(s, null).map(r => r.runId)).toEqual(['other-kernel', 'mine', 'newer', 'older']);
  });

  it('offers stop and guidance while live, resume for a stopped or interrupted run with a folder', () => {
    const none = { stop: false, guide: false, resume: false, review: false, export: false };
    expect(availableActions(opened().runs[RUN])).toEqual({ ...none, stop: true, guide: true });
    const stopped = runClosed(state({ phase: 'finished', status: 'stopped' }), RUN, T0).runs[RUN];
    expect(availableActions(stopped)).toEqual({ ...none, resume: true });
    const past = applyServerRuns(emptyState(), [serverRun({ status: 'success' })]).runs['old-run'];
    expect(availableActions(past).resume).toBe(false);
    // a run whose process ended early, as the server reports it once the comm is gone
    const interrupted = applyServerRuns({ runs: { [RUN]: stopped } }, [
      serverRun({ run_id: RUN, status: 'interrupted' })
    ]);
    expect(availableActions(interrupted.runs[RUN])).toMatchObject({ resume: true });
  });

  it('offers export for a scored run the server knows, once it no longer runs', () => {
    const past = applyServerRuns(emptyState(), [serverRun({ status: 'success', score: 0.9 })]).runs['old-run'];
    expect(availableActions(past).export).toBe(true);
    expect(availableActions({ ...past, live: true, status: 'running' }).export).toBe(false);
    expect(availableActions({ ...past, score: null }).export).toBe(false);
    expect(availableActions({ ...past, path: null }).export).toBe(false);
  });

  it('formats scores, times, tokens and costs', () => {
    expect(formatScore(0.912345678, 'roc_auc')).toBe('roc_auc 0.91235');
    expect(formatScore(null)).toBe('–');
    expect(formatDuration(4.25)).toBe('4.3 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatTokens(0, 0)).toBe('–');
    expect(formatTokens(10, 5)).toBe('10 in / 5 out');
    expect(formatCost(0.01234)).toBe('$0.0123');
    expect(formatCost(0)).toBe('–');
  });
});
