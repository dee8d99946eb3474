/**
 * What the MLZero panel's buttons do, and how its state follows the comms and the server.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { UUID } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';

import { INewRun, mlzeroCellSource, relativeToNotebook, shellWord } from './cells';
import { IMLZeroComms, RunEvent } from './comm';
import {
  applyMessage,
  applyRunDetail,
  applyServerRuns,
  IPanelState,
  IRunView,
  IServerRun,
  IServerRunDetail,
  runClosed,
  runOpened
} from './model';
import { IPanelActions, MLZeroPanel } from './panel';
import { requestAPI } from './request';

/** How often the runs on disk are listed again while the panel is visible, and the live clock ticks. */
const REFRESH_MS = 10000;
const TICK_MS = 1000;
const LOAD_EXTENSION = '%load_ext mlzero_jupyter';

export class PanelController implements IPanelActions, IDisposable {
  constructor(
    private app: JupyterFrontEnd,
    private tracker: INotebookTracker,
    private comms: IMLZeroComms,
    private browser: IDefaultFileBrowser | null
  ) {}

  /** Connect the panel to the comms, the notebook tracker and two timers, until the panel is disposed. */
  attach(panel: MLZeroPanel): void {
    this._panel = panel;
    this.comms.events.connect((_, event) => this.onEvent(event), this);
    this.tracker.currentChanged.connect(this.followKernel, this);
    panel.disposed.connect(this.dispose, this);
    this.followKernel();
    this.refresh();
    this._timers.push(
      window.setInterval(() => panel.isVisible && this.refresh(), REFRESH_MS),
      window.setInterval(() => {
        if (panel.isVisible && Object.values(panel.state.runs).some(r => r.live)) {
          panel.update();
        }
      }, TICK_MS)
    );
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Stop the timers and let go of every signal this controller listens to. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._timers.forEach(timer => window.clearInterval(timer));
    this._timers = [];
    Signal.disconnectReceiver(this);
  }

  private _panel: MLZeroPanel | null = null;
  private _timers: number[] = [];
  private _isDisposed = false;

  /** The attached panel. */
  private get panel(): MLZeroPanel {
    if (this._panel === null) {
      throw new Error('mlzero-jupyter: the panel controller is used before attach()');
    }
    return this._panel;
  }

  private get state(): IPanelState {
    return this.panel.state;
  }

  /** Show `what` failed, with the reason, at the top of the panel. */
  private fail(what: string, reason: unknown): void {
    this.panel.error = `${what}: ${(reason as Error)?.message ?? reason}`;
    this.panel.update();
  }

  private followKernel(): void {
    const current = this.tracker.currentWidget;
    this.panel.kernelId = current?.sessionContext.session?.kernel?.id ?? null;
    // the same slot and receiver connect once, however often the notebook becomes current again
    current?.sessionContext.kernelChanged.connect(this.followKernel, this);
    this.panel.update();
  }

  onEvent(event: RunEvent): void {
    const now = Date.now();
    if (event.kind === 'open') {
      this.panel.setState(runOpened(this.state, event.data, event.kernelId, now));
      return;
    }
    if (event.kind === 'close') {
      this.panel.setState(runClosed(this.state, event.runId, now));
      void this.loadDetail(event.runId);
      return;
    }
    const message = event.data;
    this.panel.setState(applyMessage(this.state, message, now));
    if (message.type === 'run_state' && ['attempt_finished', 'finished'].includes(String(message.phase))) {
      void this.loadDetail(event.runId);
    }
  }

  refresh(): void {
    requestAPI<{ runs: IServerRun[] }>('runs')
      .then(reply => {
        this.panel.error = null;
        this.panel.setState(applyServerRuns(this.state, reply.runs));
      })
      .catch(reason => this.fail('Cannot list the runs on disk', reason));
  }

  private async loadDetail(runId: string): Promise<void> {
    try {
      const detail = await requestAPI<IServerRunDetail>(`runs/${encodeURIComponent(runId)}`);
      this.panel.setState(applyRunDetail(this.state, detail));
    } catch {
      // a run folder outside the server root is not served: the kernel's messages are all the panel shows
    }
  }

  // -- IPanelActions ----------------------------------------------------------------------------------------
  jumpToCell(run: IRunView): void {
    for (const notebook of this.notebooks()) {
      const index = notebook.content.widgets.findIndex(cell => cell.model.id === run.cellId);
      if (index >= 0) {
        this.app.shell.activateById(notebook.id);
        notebook.content.activeCellIndex = index;
        void notebook.content.scrollToCell(notebook.content.widgets[index], 'center');
        return;
      }
    }
  }

  stop(run: IRunView): void {
    this.comms.send(run.runId, { type: 'stop', by: 'panel' });
  }

  guide(run: IRunView, text: string): void {
    this.comms.send(run.runId, { type: 'guidance', action: 'continue', text });
  }

  review(run: IRunView, action: string, code?: string): void {
    this.comms.send(run.runId, {
      type: 'review',
      action,
      by: 'panel',
      ...(action === 'edit' ? { code: code ?? '' } : {})
    });
  }

  open(path: string): void {
    void this.app.commands.execute('docmanager:open', { path });
  }

  async exportNotebook(run: IRunView): Promise<void> {
    try {
      const reply = await requestAPI<{ path: string }>(`runs/${encodeURIComponent(run.runId)}/export`, {
        method: 'POST'
      });
      this.panel.error = null;
      this.open(reply.path);
      this.refresh();
    } catch (reason) {
      this.fail(`Cannot export ${run.runId}`, reason);
    }
  }

  resume(run: IRunView, guidance: string): void {
    const notebook = this.tracker.currentWidget;
    if (!notebook) {
      return;
    }
    const folder = run.runDir ?? relativeToNotebook(notebook.context.path, run.path ?? run.runId);
    const line = `%mlzero resume ${shellWord(folder)}` + (guidance ? ` ${shellWord(guidance)}` : '');
    void this.insertAndRun(notebook, line);
  }

  newRun(form: INewRun): void {
    const notebook = this.tracker.currentWidget;
    void (notebook ? this.insertAndRun(notebook, mlzeroCellSource(form)) : this.runInNewNotebook(form));
  }

  selectedData(): string | null {
    const notebook = this.tracker.currentWidget;
    if (!this.browser) {
      return null;
    }
    const selected = this.browser.selectedItems().next();
    const path = selected.done ? this.browser.model.path : selected.value.path;
    return notebook ? relativeToNotebook(notebook.context.path, path) : path;
  }

  // -- helpers ----------------------------------------------------------------------------------------------
  private notebooks(): NotebookPanel[] {
    const found: NotebookPanel[] = [];
    this.tracker.forEach(panel => found.push(panel));
    return found;
  }

  /**
   * No notebook is active (the form's data is then relative to the server root): a new notebook in the file
   * browser's folder gets the cells and opens; in JupyterLab it runs at once, while Notebook 7 opens it in a
   * new browser tab, where Run All starts the run.
   */
  private async runInNewNotebook(form: INewRun): Promise<void> {
    const { contents, kernelspecs } = this.app.serviceManager;
    this.panel.error = this.panel.notice = null;
    try {
      const created = await contents.newUntitled({ path: this.browser?.model.path ?? '', type: 'notebook' });
      const data = relativeToNotebook(created.path, form.data.trim() || '.');
      const spec = kernelspecs.specs?.kernelspecs[kernelspecs.specs.default];
      const content = {
        cells: [LOAD_EXTENSION, mlzeroCellSource({ ...form, data })].map(codeCell),
        metadata: spec
          ? { kernelspec: { name: spec.name, display_name: spec.display_name, language: spec.language } }
          : {},
        nbformat: 4,
        nbformat_minor: 5
      };
      await contents.save(created.path, { type: 'notebook', format: 'json', content });
      const opened = await this.app.commands.execute('docmanager:open', { path: created.path });
      if (opened && this.tracker.has(opened)) {
        const notebook = opened as NotebookPanel;
        await notebook.context.ready;
        await notebook.sessionContext.ready;
        // the kernel has answered once: other extensions' first requests (widget state) go before the run
        await notebook.sessionContext.session?.kernel?.info;
        await NotebookActions.runAll(notebook.content, notebook.sessionContext);
      } else {
        this.panel.notice = `${created.path} opened in a new browser tab: run its cells there to start the run.`;
      }
      this.panel.update();
    } catch (reason) {
      this.fail('Cannot create a notebook for the run', reason);
    }
  }

  /** Insert cells below the active cell (the extension is loaded first when no cell loads it) and run them. */
  private async insertAndRun(notebook: NotebookPanel, source: string): Promise<void> {
    const model = notebook.content.model;
    if (!model) {
      return;
    }
    const shared = model.sharedModel;
    const loaded = shared.cells.some(cell => cell.getSource().includes(LOAD_EXTENSION));
    const sources = loaded ? [source] : [LOAD_EXTENSION, source];
    const at = Math.min(notebook.content.activeCellIndex + 1, shared.cells.length);
    shared.insertCells(at, sources.map(codeCell));
    const cells = notebook.content.widgets.slice(at, at + sources.length);
    notebook.content.activeCellIndex = at + sources.length - 1;
    this.app.shell.activateById(notebook.id);
    await NotebookActions.runCells(notebook.content, cells, notebook.sessionContext);
  }
}

/** A new code cell holding `source`, as nbformat has it. */
function codeCell(source: string) {
  return { id: UUID.uuid4(), cell_type: 'code' as const, source, metadata: {}, outputs: [], execution_count: null };
}
