// Entry of the minimal JupyterLab app (cf. jupyterlab examples/app, 3.x).
import { PageConfig } from '@jupyterlab/coreutils';
// eslint-disable-next-line no-undef
__webpack_public_path__ = PageConfig.getOption('fullStaticUrl') + '/';

const styles = import('./build/style.js');

window.addEventListener('load', async function () {
  await styles;
  const { JupyterLab } = await import('@jupyterlab/application');
  const extensions = await Promise.all([
    import('@jupyterlab/application-extension'),
    import('@jupyterlab/apputils-extension'),
    import('@jupyterlab/celltags-extension'),
    import('@jupyterlab/codemirror-extension'),
    import('@jupyterlab/completer-extension'),
    import('@jupyterlab/console-extension'),
    import('@jupyterlab/docmanager-extension'),
    import('@jupyterlab/docprovider-extension'),
    import('@jupyterlab/documentsearch-extension'),
    import('@jupyterlab/filebrowser-extension'),
    import('@jupyterlab/fileeditor-extension'),
    import('@jupyterlab/help-extension'),
    import('@jupyterlab/imageviewer-extension'),
    import('@jupyterlab/inspector-extension'),
    import('@jupyterlab/launcher-extension'),
    import('@jupyterlab/mainmenu-extension'),
    import('@jupyterlab/markdownviewer-extension'),
    import('@jupyterlab/mathjax2-extension'),
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
    import('@jupyterlab/ui-components-extension')
  ]);
  // Same MIME renderer extensions as a stock JupyterLab 3.6 (minus pdf/vega).
  const mimeExtensions = await Promise.all([
    import('@jupyterlab/json-extension'),
    import('@jupyterlab/javascript-extension')
  ]);
  const lab = new JupyterLab({ mimeExtensions });
  // The news/update-check plugin needs the full jupyterlab server extension (/lab/api/update),
  // which jupyterlab_server alone does not have: leave it out.
  const withoutNews = extensions.map(m => {
    const plugins = m.default || m;
    return Array.isArray(plugins) ? plugins.filter(p => !p.id.endsWith(':announcements')) : plugins;
  });
  lab.registerPlugins(withoutNews.flat());
  await lab.start();
  await lab.restored;
  window.jupyterapp = lab; // for the Playwright driver
  console.log('JLAB_READY');
});
