// Starts the minimal JupyterLab app; shared by both versions' index.js, which add the plugins only
// their version has. webpack-app.js resolves these imports from the app's own node_modules, so the
// same lines load 3.6 packages into the 3.6 app and 4.x packages into the 4 app (cf. jupyterlab
// examples/app).
import { PageConfig } from '@jupyterlab/coreutils';
// Chunks and styles load from the server's static URL: set before anything else loads.
// eslint-disable-next-line no-undef
__webpack_public_path__ = PageConfig.getOption('fullStaticUrl') + '/';

/**
 * Plugins the check leaves out: the news/update check needs the full jupyterlab server extension
 * (/lab/api/update), which jupyterlab_server alone does not have; the language-server plugins (4.x)
 * need jupyter-lsp.
 */
const LEFT_OUT = [/:announcements$/, /:language-server$/];

/** The stock plugins both versions have (a notebook user's). */
const commonExtensions = () => [
  import('@jupyterlab/application-extension'),
  import('@jupyterlab/apputils-extension'),
  import('@jupyterlab/celltags-extension'),
  import('@jupyterlab/codemirror-extension'),
  import('@jupyterlab/completer-extension'),
  import('@jupyterlab/console-extension'),
  import('@jupyterlab/docmanager-extension'),
  import('@jupyterlab/documentsearch-extension'),
  import('@jupyterlab/filebrowser-extension'),
  import('@jupyterlab/fileeditor-extension'),
  import('@jupyterlab/help-extension'),
  import('@jupyterlab/imageviewer-extension'),
  import('@jupyterlab/inspector-extension'),
  import('@jupyterlab/launcher-extension'),
  import('@jupyterlab/mainmenu-extension'),
  import('@jupyterlab/markdownviewer-extension'),
  import('@jupyterlab/notebook-extension'),
  import('@jupyterlab/rendermime-extension'),
  import('@jupyterlab/running-extension'),
  import('@jupyterlab/settingeditor-extension'),
  import('@jupyterlab/shortcuts-extension'),
  import('@jupyterlab/statusbar-extension'),
  import('@jupyterlab/theme-dark-extension'),
  import('@jupyterlab/theme-light-extension'),
  import('@jupyterlab/toc-extension'),
  import('@jupyterlab/tooltip-extension'),
  import('@jupyterlab/translation-extension'),
  import('@jupyterlab/ui-components-extension'),
];

/** Once the page has loaded: the app with the common plugins and `extensions`, started and restored. */
export function boot({ styles, extensions }) {
  window.addEventListener('load', async () => {
    await styles;
    const { JupyterLab } = await import('@jupyterlab/application');
    // The MIME renderers of a stock JupyterLab a notebook needs (not pdf/vega).
    const mimeExtensions = await Promise.all([import('@jupyterlab/json-extension'), import('@jupyterlab/javascript-extension')]);
    const lab = new JupyterLab({ mimeExtensions });
    const plugins = (await Promise.all([...commonExtensions(), ...extensions])).flatMap(m => {
      const exported = m.default || m;
      return Array.isArray(exported) ? exported : [exported];
    });
    lab.registerPlugins(plugins.filter(p => !LEFT_OUT.some(re => re.test(p.id))));
    await lab.start();
    await lab.restored;
    window.jupyterapp = lab; // for the Playwright driver
    console.log('JLAB_READY');
  });
}
