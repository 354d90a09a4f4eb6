// What differs between the JupyterLab versions the check runs: the app's folder (its package.json,
// node_modules and build/), the windowing modes its notebook has, and the console noise of the
// minimal app itself. The page driver (run-notebook.js) is the same for both.
const path = require('path');

const COMMON_NOISE = [
  /\/api\/me\b/,                          // jupyterlab_server has no /api/me (jupyter_server 2 has): 404
  /Language pack '.*' not valid/,         // no language packs installed
];

const VERSIONS = {
  '3.6': {
    appDir: __dirname,
    windowing: [],                        // 3.6 keeps every cell in the DOM
    noise: [
      /Invalid access: Add Yjs type/,     // JupyterLab 3.6's shared model, while a notebook loads
      /cdnjs\.cloudflare\.com\/.*mathjax/i, // MathJax 2 comes from a CDN; offline here
    ],
  },
  '4': {
    appDir: path.join(__dirname, 'lab4'),
    // The notebook-extension:tracker setting windowingMode; its default (in 4.6) comes first.
    windowing: ['contentVisibility', 'full', 'defer', 'none'],
    noise: [
      // jupyter_server 1.23 has no event bus (/api/events, jupyter_server ≥ 2): 404 on its websocket.
      /\/api\/events\/subscribe|WebSocket connection to .*\/api\/events/,
      // 4.x turns file paths in text outputs into links: it asks /api/resolvePath (jupyter_server 2)
      // where they lead, then probes the path (?content=0&hash=0). Both 404 here for a URL's tail.
      /\/api\/resolvePath\?/,
      /\/api\/contents\/[^ ]*\?content=0&hash=0/,
    ],
  },
};

/** The table row for `--lab`, with the app's version from its package.json. */
function labVersion(lab) {
  const row = VERSIONS[lab];
  if (!row) throw new Error(`--lab ${lab}: this tool has JupyterLab ${Object.keys(VERSIONS).sort().join(' and ')}`);
  const version = require(path.join(row.appDir, 'package.json')).version;
  return { lab, version, ...row, noise: [...COMMON_NOISE, ...row.noise] };
}

module.exports = { labVersion };
