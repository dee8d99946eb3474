import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** GET `/mlzero/<endpoint>` of the Jupyter server (authenticated like every JupyterLab request). */
export async function requestAPI<T>(endpoint: string): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'mlzero', endpoint);
  const response = await ServerConnection.makeRequest(url, {}, settings);
  const text = await response.text();
  if (!response.ok) {
    throw new ServerConnection.ResponseError(response, text || response.statusText);
  }
  return JSON.parse(text) as T;
}
