// Builds the minimal JupyterLab 4 app into lab4/build/, with @jupyterlab/builder 4's own loader rules
// (they handle 4.x's *.raw.css and svg data URIs).
const { appConfig } = require('../webpack-app');
const { rules } = require('@jupyterlab/builder/lib/webpack.config.base').module;

module.exports = appConfig(__dirname, { rules });
