import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** Call `/mlzero/<endpoint>` of the Jupyter server (authenticated like every JupyterLab request; GET unless `init`
 * says otherwise). A refusal throws with the server's one-line message. */
export async function requestAPI<T>(endpoint: string, init: RequestInit = {}): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'mlzero', endpoint);
  const response = await ServerConnection.makeRequest(url, init, settings);
  const text = await response.text();
  if (!response.ok) {
    throw new ServerConnection.ResponseError(response, serverMessage(text) || response.statusText);
  }
  return JSON.parse(text) as T;
}

/** The `message` of a Jupyter server's JSON error reply, or the reply itself when it is not JSON. */
function serverMessage(text: string): string {
  try {
    return String(JSON.parse(text).message ?? text);
  } catch {
    return text;
  }
}
