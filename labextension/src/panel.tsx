/**
 * The "MLZero" side panel: the runs of the active notebook's kernel, live, and the runs found on disk, with
 * their attempts, and the actions on them; a New-run form that inserts a `%%mlzero` cell and runs it.
 *
 * The state logic is in model.ts (pure); this file renders it and turns clicks into comm messages, server
 * requests and notebook edits.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  availableActions,
  formatCost,
  formatDuration,
  formatScore,
  formatTokens,
  IPanelState,
  IQuestion,
  IRunView,
  progress,
  scorePoints,
  visibleRuns
} from './model';
import { INewRun } from './cells';

/** What the panel's buttons do; implemented by PanelController (actions.ts), where the application is at hand. */
export interface IPanelActions {
  jumpToCell(run: IRunView): void;
  stop(run: IRunView): void;
  guide(run: IRunView, text: string): void;
  /** Answer the run's approval request: approve, edit (run `code` instead), skip or stop. */
  review(run: IRunView, action: string, code?: string): void;
  open(path: string): void;
  /** Write the run's solution notebook on the server and open it. */
  exportNotebook(run: IRunView): void;
  /** Continue a stopped, failed or interrupted run, with guidance for its next attempt when given. */
  resume(run: IRunView, guidance: string): void;
  newRun(form: INewRun): void;
  refresh(): void;
  /** The data path selected in the file browser, relative to the active notebook (to the server root when no
   * notebook is active); null without a file browser. */
  selectedData(): string | null;
}

export interface IPanelProps {
  state: IPanelState;
  kernelId: string | null;
  now: number;
  defaults: INewRun;
  /** Changes each time a folder is chosen from the file browser's menu: the form opens anew with it. */
  prefills: number;
  error: string | null;
  /** What the panel did that the user should know, e.g. where a new notebook opened. */
  notice: string | null;
  actions: IPanelActions;
}

/** What a text field with its button looks like: class names of the box, the field and the button; its texts. */
interface ITextActionLook {
  classes: [string, string, string];
  multiline: boolean;
  placeholder: string;
  label: string;
}

const GUIDANCE_LOOK: ITextActionLook = {
  classes: ['jp-MLZero-guidance', 'jp-MLZero-guidanceText', 'jp-Button jp-mod-styled jp-mod-accept jp-MLZero-send'],
  multiline: true,
  placeholder: 'Guidance for the next attempt',
  label: 'Send guidance'
};

const RESUME_LOOK: ITextActionLook = {
  classes: ['jp-MLZero-resumeBox', 'jp-MLZero-resumeGuidance', 'jp-Button jp-mod-styled jp-MLZero-resume'],
  multiline: false,
  placeholder: 'Guidance for the next attempt (optional)',
  label: 'Resume'
};

/** A text field and its button: `send` gets the trimmed text, and the field empties when it returns true. */
function TextAction(props: ITextActionLook & { send: (text: string) => boolean }): JSX.Element {
  const [text, setText] = React.useState('');
  const [box, field, button] = props.classes;
  const change = (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>): void => setText(e.target.value);
  const send = (): void => {
    if (props.send(text.trim())) {
      setText('');
    }
  };
  const shown = { className: field, placeholder: props.placeholder, value: text, onChange: change };
  return (
    <div className={box}>
      {props.multiline ? <textarea {...shown} /> : <input {...shown} />}
      <button className={button} onClick={send}>
        {props.label}
      </button>
    </div>
  );
}

function GuidanceBox(props: { run: IRunView; actions: IPanelActions }): JSX.Element {
  const guide = (text: string): boolean => {
    if (text) {
      props.actions.guide(props.run, text);
    }
    return Boolean(text);
  };
  return <TextAction {...GUIDANCE_LOOK} send={guide} />;
}

function ReviewBox(props: { run: IRunView; question: IQuestion; actions: IPanelActions }): JSX.Element {
  const { run, question, actions } = props;
  const [code, setCode] = React.useState(question.code ?? '');
  const edited = code !== (question.code ?? '');
  return (
    <div className="jp-MLZero-review" data-attempt={question.attempt ?? ''}>
      <div className="jp-MLZero-reviewTitle">
        Run attempt {question.attempt}? {question.text}
      </div>
      {question.concerns.map(concern => (
        <div key={concern} className="jp-MLZero-concern">
          concern: {concern}
        </div>
      ))}
      <textarea className="jp-MLZero-code" spellCheck={false} value={code} onChange={e => setCode(e.target.value)} />
      <div className="jp-MLZero-actions">
        {edited ? (
          <button
            className="jp-Button jp-mod-styled jp-mod-accept jp-MLZero-edit"
            onClick={() => actions.review(run, 'edit', code)}
          >
            Run my edit
          </button>
        ) : (
          <button
            className="jp-Button jp-mod-styled jp-mod-accept jp-MLZero-approve"
            onClick={() => actions.review(run, 'approve')}
          >
            Approve
          </button>
        )}
        <button className="jp-Button jp-mod-styled jp-MLZero-skip" onClick={() => actions.review(run, 'skip')}>
          Skip
        </button>
      </div>
    </div>
  );
}

function ScoreChart(props: { run: IRunView }): JSX.Element | null {
  const points = scorePoints(props.run);
  if (points.length === 0) {
    return null;
  }
  const [width, height, pad] = [220, 60, 6];
  const at = (p: { x: number; y: number }): string =>
    `${(pad + p.x * (width - 2 * pad)).toFixed(1)},${(height - pad - p.y * (height - 2 * pad)).toFixed(1)}`;
  return (
    <svg className="jp-MLZero-chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      <title>validation score by attempt</title>
      <polyline points={points.map(at).join(' ')} fill="none" stroke="var(--jp-brand-color1)" strokeWidth={1.5} />
      {points.map(p => {
        const [x, y] = at(p).split(',');
        return (
          <circle key={p.attempt} className="jp-MLZero-point" cx={x} cy={y} r={3} fill="var(--jp-brand-color1)">
            <title>{`attempt ${p.attempt}: ${formatScore(p.score)}`}</title>
          </circle>
        );
      })}
    </svg>
  );
}

function ResumeBox(props: { run: IRunView; actions: IPanelActions }): JSX.Element {
  const resume = (text: string): boolean => {
    props.actions.resume(props.run, text);
    return false;
  };
  return <TextAction {...RESUME_LOOK} send={resume} />;
}

function AttemptsTable(props: { run: IRunView }): JSX.Element {
  return (
    <table className="jp-MLZero-attempts">
      <thead>
        <tr>
          <th>#</th>
          <th>status</th>
          <th>score</th>
          <th>time</th>
          <th>tokens</th>
          <th>cost</th>
        </tr>
      </thead>
      <tbody>
        {props.run.attempts.map(a => (
          <tr key={a.number} className={`jp-MLZero-attempt jp-MLZero-status-${a.status}`} data-attempt={a.number}>
            <td>
              {a.number}
              {a.final ? ' ★' : ''}
            </td>
            <td>{a.status}</td>
            <td>{formatScore(a.score)}</td>
            <td>{formatDuration(a.durationS)}</td>
            <td>{formatTokens(a.inputTokens, a.outputTokens)}</td>
            <td>{formatCost(a.costUsd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RunCard(props: { run: IRunView; now: number; actions: IPanelActions }): JSX.Element {
  const { run, actions } = props;
  const can = availableActions(run);
  const shown = progress(run, props.now);
  const notebook = run.solutionNotebook ?? run.attemptsNotebook;
  return (
    <div className="jp-MLZero-run" data-run-id={run.runId} data-status={run.status}>
      <div className="jp-MLZero-runHeader">
        <span className={`jp-MLZero-badge jp-MLZero-status-${run.status}`}>{run.status}</span>
        {run.live && <span className="jp-MLZero-live">live</span>}
        <span className="jp-MLZero-runId" title={run.runDir ?? run.path ?? ''}>
          {run.runId}
        </span>
      </div>
      {run.task && <div className="jp-MLZero-task">{run.task}</div>}
      {(!run.live || run.score !== null) && (
        <div className="jp-MLZero-score">
          Best: <b>{formatScore(run.score, run.metric)}</b>
          {run.bestAttempt !== null && ` (attempt ${run.bestAttempt})`}
        </div>
      )}
      <div className="jp-MLZero-progress">
        {shown.text}
        {shown.fraction !== null && <progress max={1} value={shown.fraction} />}
      </div>
      {run.question && !can.review && <div className="jp-MLZero-question">{run.question.text}</div>}
      {can.review && run.question && (
        <ReviewBox key={`${run.runId}-${run.question.attempt}`} run={run} question={run.question} actions={actions} />
      )}
      <ScoreChart run={run} />
      {run.attempts.length > 0 && (
        <div className="jp-MLZero-tableBox">
          <AttemptsTable run={run} />
        </div>
      )}
      <div className="jp-MLZero-actions">
        {run.cellId && (
          <button className="jp-Button jp-mod-styled jp-MLZero-jump" onClick={() => actions.jumpToCell(run)}>
            Jump to cell
          </button>
        )}
        {can.stop && (
          <button className="jp-Button jp-mod-styled jp-mod-warn jp-MLZero-stop" onClick={() => actions.stop(run)}>
            Stop
          </button>
        )}
        {notebook && (
          <button className="jp-Button jp-mod-styled jp-MLZero-open" onClick={() => actions.open(notebook)}>
            Open notebook
          </button>
        )}
        {can.export && (
          <button
            className="jp-Button jp-mod-styled jp-MLZero-export"
            onClick={() => actions.exportNotebook(run)}
            title="Write the best attempt as a clean notebook (solution.ipynb in the run folder) and open it"
          >
            Export notebook
          </button>
        )}
      </div>
      {can.resume && <ResumeBox run={run} actions={actions} />}
      {can.guide && <GuidanceBox run={run} actions={actions} />}
    </div>
  );
}

function NewRunForm(props: { defaults: INewRun; actions: IPanelActions; open: boolean }): JSX.Element {
  const [form, setForm] = React.useState<INewRun>(props.defaults);
  const set = (change: Partial<INewRun>): void => setForm({ ...form, ...change });
  const fromBrowser = (): void => {
    const selected = props.actions.selectedData();
    if (selected !== null) {
      set({ data: selected });
    }
  };
  const submit = (event: React.FormEvent): void => {
    event.preventDefault();
    props.actions.newRun(form);
  };
  return (
    <details className="jp-MLZero-newRun" open={props.open}>
      <summary>New run</summary>
      <form onSubmit={submit}>
        <label>
          Data folder or file
          <div className="jp-MLZero-row">
            <input name="data" value={form.data} onChange={e => set({ data: e.target.value })} />
            <button
              type="button"
              className="jp-Button jp-mod-styled"
              onClick={fromBrowser}
              title="Use the item selected in the file browser"
            >
              From file browser
            </button>
          </div>
        </label>
        <label>
          What should the model do?
          <textarea name="description" value={form.description} onChange={e => set({ description: e.target.value })} />
        </label>
        <label>
          Time limit
          <input name="timeLimit" value={form.timeLimit} onChange={e => set({ timeLimit: e.target.value })} />
        </label>
        <label>
          Provider
          <input name="provider" value={form.provider} onChange={e => set({ provider: e.target.value })} />
        </label>
        <label>
          Model
          <input name="model" value={form.model} onChange={e => set({ model: e.target.value })} />
        </label>
        <label className="jp-MLZero-check">
          <input type="checkbox" name="guide" checked={form.guide} onChange={e => set({ guide: e.target.checked })} />
          Pause for guidance after every attempt
        </label>
        <button type="submit" className="jp-Button jp-mod-styled jp-mod-accept jp-MLZero-start">
          Insert cell and run
        </button>
      </form>
    </details>
  );
}

export function PanelView(props: IPanelProps): JSX.Element {
  const runs = visibleRuns(props.state, props.kernelId);
  return (
    <div className="jp-MLZero-panelBody">
      <div className="jp-MLZero-title">
        <span>MLZero runs</span>
        <button
          className="jp-Button jp-mod-minimal jp-MLZero-refresh"
          onClick={() => props.actions.refresh()}
          title="Look for runs on disk again"
        >
          ↻
        </button>
      </div>
      <NewRunForm key={props.prefills} defaults={props.defaults} actions={props.actions} open={props.prefills > 0} />
      {props.error && <div className="jp-MLZero-error">{props.error}</div>}
      {props.notice && <div className="jp-MLZero-notice">{props.notice}</div>}
      {runs.length === 0 && <div className="jp-MLZero-empty">No runs yet: run a %%mlzero cell or start one above.</div>}
      {runs.map(run => (
        <RunCard key={run.runId} run={run} now={props.now} actions={props.actions} />
      ))}
    </div>
  );
}

/** The panel widget: holds the state and re-renders on every change. */
export class MLZeroPanel extends ReactWidget {
  constructor(actions: IPanelActions, defaults: () => INewRun) {
    super();
    this.addClass('jp-MLZero-panel');
    this._actions = actions;
    this._defaults = defaults;
  }

  state: IPanelState = { runs: {} };
  kernelId: string | null = null;
  error: string | null = null;
  notice: string | null = null;

  /** Open the New-run form with ``data`` filled in (the file browser's "Train a model on this folder…"). */
  prefill(data: string): void {
    this._data = data;
    this._prefills += 1;
    this.update();
  }

  /** Replace the state (and re-render). */
  setState(state: IPanelState): void {
    this.state = state;
    this.update();
  }

  render(): JSX.Element {
    return (
      <PanelView
        state={this.state}
        kernelId={this.kernelId}
        now={Date.now()}
        defaults={this._data === null ? this._defaults() : { ...this._defaults(), data: this._data }}
        prefills={this._prefills}
        error={this.error}
        notice={this.notice}
        actions={this._actions}
      />
    );
  }

  private _actions: IPanelActions;
  private _defaults: () => INewRun;
  private _data: string | null = null;
  private _prefills = 0;
}
