// Entry of the minimal JupyterLab 4 app: ../boot.js's common plugins and 4.x's own (../index.js: 3.6).
import { boot } from '../boot';

boot({
  styles: import('./build/style.js'),
  extensions: [
    import('@jupyterlab/markedparser-extension'),  // markdown parser (a plugin of its own in 4.x)
    import('@jupyterlab/mathjax-extension'),       // MathJax 3, bundled
    import('@jupyterlab/metadataform-extension'),
  ],
});
