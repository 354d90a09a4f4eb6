// Entry of the minimal JupyterLab 3.6 app: boot.js's common plugins and 3.6's own (lab4/index.js: 4.x).
import { boot } from './boot';

boot({
  styles: import('./build/style.js'),
  extensions: [
    import('@jupyterlab/docprovider-extension'), // 3.6's shared model provider (in the server from 4.0)
    import('@jupyterlab/mathjax2-extension'),    // MathJax 2 from a CDN (4.x bundles MathJax 3)
  ],
});
