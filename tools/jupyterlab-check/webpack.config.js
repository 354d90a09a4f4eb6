// Builds the minimal JupyterLab 3.6 app into build/ (lab4/webpack.config.js: the 4.x one).
const { appConfig } = require('./webpack-app');

module.exports = appConfig(__dirname, {
  entry: ['whatwg-fetch', './index.js'],
  rules: [
    { test: /\.css$/, use: ['style-loader', 'css-loader'] },
    { test: /\.html$/, type: 'asset/resource' },
    { test: /\.md$/, type: 'asset/source' },
    { test: /\.(jpg|png|gif)$/, type: 'asset/resource' },
    { test: /\.js.map$/, type: 'asset/resource' },
    { test: /\.(woff2?|ttf|eot)(\?v=\d+\.\d+\.\d+)?$/, type: 'asset' },
    { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.css$/, use: { loader: 'svg-url-loader', options: { encoding: 'none', limit: 10000 } } },
    { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.js$/, type: 'asset/source' },
    { test: /\.m?js$/, resolve: { fullySpecified: false } },
  ],
});
