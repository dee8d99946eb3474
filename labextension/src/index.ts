/**
 * mlzero-jupyter frontend: the `mlzero` comm target (attempt cells inserted live) and the MLZero side panel.
 * Works in JupyterLab 4 and Notebook 7: it relies on the notebook tracker and the shell's `left` area only.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { LabIcon } from '@jupyterlab/ui-components';

import { PanelController } from './actions';
import { INewRun, relativeToNotebook } from './cells';
import { IMLZeroComms, MLZeroComms } from './comm';
import { MLZeroPanel } from './panel';
import iconSvg from '../style/icon.svg';

const PANEL_ID = 'mlzero-panel';
const OPEN_COMMAND = 'mlzero:open-panel';
const TRAIN_COMMAND = 'mlzero:train-on-folder';

export const mlzeroIcon = new LabIcon({ name: 'mlzero-jupyter:icon', svgstr: iconSvg });

/** The comm target: registered on the kernel of every notebook. */
const cellsPlugin: JupyterFrontEndPlugin<IMLZeroComms> = {
  id: 'mlzero-jupyter:cells',
  description: 'Inserts and updates the attempt cells of %%mlzero runs.',
  autoStart: true,
  requires: [INotebookTracker],
  provides: IMLZeroComms,
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker): IMLZeroComms => new MLZeroComms(tracker)
};

/** Read the New-run form's defaults from the settings (Settings Editor > MLZero). */
function formDefaults(settings: ISettingRegistry.ISettings | null): INewRun {
  const get = (key: string, fallback: string): string => String(settings?.get(key).composite ?? fallback);
  return {
    data: '',
    description: '',
    timeLimit: get('timeLimit', '10m'),
    provider: get('provider', 'offline'),
    model: get('model', ''),
    guide: false
  };
}

/** The side panel, with its settings. */
const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlzero-jupyter:plugin',
  description: 'The MLZero side panel: runs, attempts, actions and a New-run form.',
  autoStart: true,
  requires: [INotebookTracker, IMLZeroComms],
  optional: [ISettingRegistry, IDefaultFileBrowser, ILayoutRestorer, ICommandPalette],
  activate: async (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    comms: IMLZeroComms,
    registry: ISettingRegistry | null,
    browser: IDefaultFileBrowser | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ): Promise<void> => {
    let settings: ISettingRegistry.ISettings | null = null;
    if (registry) {
      try {
        settings = await registry.load(panelPlugin.id);
      } catch (reason) {
        console.warn('mlzero-jupyter: settings not loaded', reason);
      }
    }
    const controller = new PanelController(app, tracker, comms, browser);
    const panel = new MLZeroPanel(controller, () => formDefaults(settings));
    panel.id = PANEL_ID;
    panel.title.icon = mlzeroIcon;
    panel.title.caption = 'MLZero';
    panel.title.label = app.name === 'JupyterLab' ? '' : 'MLZero';
    controller.attach(panel);
    app.shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, PANEL_ID);
    settings?.changed.connect(() => panel.update());

    app.commands.addCommand(OPEN_COMMAND, {
      label: 'Show the MLZero panel',
      execute: () => app.shell.activateById(PANEL_ID)
    });
    palette?.addItem({ command: OPEN_COMMAND, category: 'MLZero' });

    // the file browser's context menu on a folder: the New-run form, with the folder filled in
    const selectedFolder = (): string | null => {
      const item = browser?.selectedItems().next();
      return item && !item.done && item.value.type === 'directory' ? item.value.path : null;
    };
    app.commands.addCommand(TRAIN_COMMAND, {
      label: 'Train a model on this folder…',
      isVisible: () => selectedFolder() !== null,
      execute: () => {
        const folder = selectedFolder();
        if (folder === null) {
          return;
        }
        const notebook = tracker.currentWidget;
        panel.prefill(notebook ? relativeToNotebook(notebook.context.path, folder) : folder);
        app.shell.activateById(PANEL_ID);
      }
    });
    app.contextMenu.addItem({ command: TRAIN_COMMAND, selector: '.jp-DirListing-item[data-isdir="true"]', rank: 3 });
  }
};

export default [cellsPlugin, panelPlugin];
