/**
 * The `mlzero` comm target (see mlzero_jupyter/notebook/protocol.md): a `%%mlzero` run opens one comm per run,
 * sends its attempts as cells and its progress; the frontend answers `ready` and sends guidance and Stop.
 *
 * Cells are written through the notebook's shared model, so real-time collaborators see the same cells. Only the
 * kernel connection that sent the run's execute request acts on the notebook (a second browser tab on the same
 * kernel sees the comm too, and only observes); an attempt already present is updated, never inserted twice.
 */
import * as nbformat from '@jupyterlab/nbformat';
import { INotebookModel, INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { JSONObject, Token } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import { findAttemptCell, ICellInfo, insertionIndex } from './cells';
import { commOpen, ICommOpen, IKernelMessage, kernelMessage } from './model';

export const COMM_TARGET = 'mlzero';
export const PROTOCOL_VERSION = 1;

/** What the comms tell the panel: a run's comm opened (with its `comm_open` data), a message, or the close. */
export type RunEvent = { kernelId: string; runId: string } & (
  { kind: 'open'; data: ICommOpen } | { kind: 'message'; data: IKernelMessage } | { kind: 'close' }
);

export interface IMLZeroComms {
  /** Every comm event of every watched kernel. */
  readonly events: ISignal<IMLZeroComms, RunEvent>;
  /** Send a message to a live run; false when the run has no open comm here. */
  send(runId: string, data: JSONObject): boolean;
}

export const IMLZeroComms = new Token<IMLZeroComms>('mlzero-jupyter:IMLZeroComms');

/** Whether this connection sends comm messages on a kernel subshell (JupyterLab >= 4.4 with ipykernel >= 7). */
function usesSubshells(kernel: Kernel.IKernelConnection): boolean {
  const mode = (kernel as { commsOverSubshells?: string }).commsOverSubshells;
  return Boolean(kernel.supportsSubshells) && mode !== undefined && mode !== 'disabled';
}

/** Insert or update an attempt's cell (by run id and attempt number) in the notebook's shared model. */
export function applyAttemptCell(model: INotebookModel, message: IKernelMessage): void {
  const shared = model.sharedModel;
  const attempt = Number(message.attempt);
  const cells: ICellInfo[] = shared.cells.map(cell => ({
    id: cell.getId(),
    mlzero: (cell.getMetadata('mlzero') as ICellInfo['mlzero']) ?? null
  }));
  const source = String(message.source ?? '');
  const metadata = (message.metadata ?? {}) as JSONObject;
  const outputs = (message.outputs ?? []) as nbformat.IOutput[];
  const found = findAttemptCell(cells, message.run_id, attempt);
  shared.transact(() => {
    if (found >= 0) {
      const cell = shared.cells[found];
      cell.setSource(source);
      cell.setMetadata('mlzero', metadata.mlzero ?? null);
      if (cell.cell_type === 'code' && 'setOutputs' in cell) {
        cell.setOutputs(outputs);
      }
      return;
    }
    const index = insertionIndex(cells, message.cell_id ?? null, message.run_id, attempt);
    shared.insertCell(index, { cell_type: 'code', source, metadata, outputs, execution_count: null });
  });
}

/** Registers the `mlzero` target on the kernel of every notebook and routes its messages. */
export class MLZeroComms implements IMLZeroComms {
  constructor(tracker: INotebookTracker) {
    this._tracker = tracker;
    tracker.widgetAdded.connect((_, panel) => this._watch(panel));
    tracker.forEach(panel => this._watch(panel));
  }

  get events(): ISignal<IMLZeroComms, RunEvent> {
    return this._events;
  }

  send(runId: string, data: JSONObject): boolean {
    const comm = this._comms.get(runId);
    if (!comm || comm.isDisposed) {
      return false;
    }
    comm.send(data);
    return true;
  }

  private _watch(panel: NotebookPanel): void {
    const register = (): void => {
      const kernel = panel.sessionContext.session?.kernel;
      if (!kernel || this._registered.has(kernel)) {
        return;
      }
      this._registered.add(kernel);
      kernel.registerCommTarget(COMM_TARGET, (comm, msg) => this._opened(kernel, comm, msg));
    };
    panel.sessionContext.kernelChanged.connect(register);
    void panel.sessionContext.ready.then(register);
    register();
  }

  private _opened(kernel: Kernel.IKernelConnection, comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg): void {
    const open = commOpen(msg.content.data);
    const runId = open.run_id;
    const parent = msg.parent_header as Partial<KernelMessage.IHeader>;
    // The execute request that started the run came from one connection: that one writes the cells.
    const owner = !parent.session || parent.session === kernel.clientId;
    this._comms.set(runId, comm);
    comm.onMsg = reply => this._received(kernel, runId, owner, reply.content.data as JSONObject);
    comm.onClose = () => {
      this._comms.delete(runId);
      this._events.emit({ kind: 'close', kernelId: kernel.id, runId });
    };
    this._events.emit({ kind: 'open', kernelId: kernel.id, runId, data: open });
    if (owner) {
      comm.send({ type: 'ready', protocol: PROTOCOL_VERSION, subshells: usesSubshells(kernel) });
    }
  }

  private _received(kernel: Kernel.IKernelConnection, runId: string, owner: boolean, data: JSONObject): void {
    const message = kernelMessage(data, runId);
    if (owner && (message.type === 'insert_cell' || message.type === 'update_cell')) {
      const panel = this._tracker.find(p => p.sessionContext.session?.kernel === kernel);
      if (panel?.model) {
        applyAttemptCell(panel.model, message);
      }
    }
    this._events.emit({ kind: 'message', kernelId: kernel.id, runId, data: message });
  }

  private _tracker: INotebookTracker;
  private _registered = new WeakSet<Kernel.IKernelConnection>();
  private _comms = new Map<string, Kernel.IComm>();
  private _events = new Signal<IMLZeroComms, RunEvent>(this);
}
