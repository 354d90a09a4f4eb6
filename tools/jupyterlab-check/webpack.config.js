// Builds the minimal JupyterLab 3.6 app into build/ (modelled on jupyterlab/jupyterlab examples/app, 3.x).
const path = require('path');
const webpack = require('webpack');
const { Build } = require('@jupyterlab/builder');
const data = require('./package.json');

const names = Object.keys(data.dependencies).filter(name => {
  const pkg = require(path.join(name, 'package.json'));
  return pkg.jupyterlab !== undefined;
});

// Copies schemas + themes into build/ and writes build/style.js.
const buildDir = path.join(__dirname, 'build');
const extras = Build.ensureAssets({
  packageNames: names,
  output: buildDir,
  schemaOutput: buildDir,
  themeOutput: buildDir
});

module.exports = [
  {
    context: __dirname,
    entry: ['whatwg-fetch', './index.js'],
    output: { path: buildDir, filename: 'bundle.js', publicPath: 'auto' },
    bail: true,
    devtool: false,
    mode: 'production',
    optimization: { minimize: false },
    performance: { hints: false },
    resolve: { fallback: { path: require.resolve('path-browserify'), url: false, buffer: false, crypto: false } },
    module: {
      rules: [
        { test: /\.css$/, use: ['style-loader', 'css-loader'] },
        { test: /\.html$/, type: 'asset/resource' },
        { test: /\.md$/, type: 'asset/source' },
        { test: /\.(jpg|png|gif)$/, type: 'asset/resource' },
        { test: /\.js.map$/, type: 'asset/resource' },
        { test: /\.(woff2?|ttf|eot)(\?v=\d+\.\d+\.\d+)?$/, type: 'asset' },
        { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.css$/, use: { loader: 'svg-url-loader', options: { encoding: 'none', limit: 10000 } } },
        { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.js$/, type: 'asset/source' },
        { test: /\.m?js$/, resolve: { fullySpecified: false } }
      ]
    },
    plugins: [
      new webpack.ProvidePlugin({ process: 'process/browser' })
    ]
  }
].concat(extras);
