// The webpack config of one version's minimal app (cf. jupyterlab examples/app): `appDir` holds its
// package.json, index.js and node_modules, and gets build/. webpack and @jupyterlab/builder come from
// appDir's node_modules, so 3.6 and 4 each build with their own.
const path = require('path');

function appConfig(appDir, { rules, entry = ['./index.js'] }) {
  const fromApp = (name) => require(require.resolve(name, { paths: [appDir] }));
  const webpack = fromApp('webpack');
  const { Build } = fromApp('@jupyterlab/builder');
  const data = require(path.join(appDir, 'package.json'));
  const names = Object.keys(data.dependencies).filter(name => {
    const pkg = require(require.resolve(`${name}/package.json`, { paths: [appDir] }));
    return pkg.jupyterlab !== undefined;
  });
  // Copies schemas + themes into build/ and writes build/style.js.
  const buildDir = path.join(appDir, 'build');
  const extras = Build.ensureAssets({ packageNames: names, output: buildDir, schemaOutput: buildDir, themeOutput: buildDir });
  return [
    {
      context: appDir,
      entry,
      output: { path: buildDir, filename: 'bundle.js', publicPath: 'auto' },
      bail: true,
      devtool: false,
      mode: 'production',
      optimization: { minimize: false },
      performance: { hints: false },
      resolve: {
        // ../boot.js is shared: its imports (none today) would resolve from appDir, not from here.
        modules: [path.join(appDir, 'node_modules'), 'node_modules'],
        fallback: { path: require.resolve('path-browserify', { paths: [appDir] }), url: false, buffer: false, crypto: false },
      },
      module: { rules },
      plugins: [new webpack.ProvidePlugin({ process: 'process/browser' })],
    },
  ].concat(extras);
}

module.exports = { appConfig };
