#!/usr/bin/env node
// Runs digit-lab's notebooks in a real JupyterLab 3.6 in Chromium (Run All, as a user would)
// and exits non-zero with one line per problem. See README.md.
//
//   node check.js [--repo DIR] [notebook…]     e.g. node check.js 02 03-compare-architectures.ipynb
const fs = require('fs');
const path = require('path');
const { ensureBuilt, startLabServer } = require('./lab-server');
const { runNotebook } = require('./run-notebook');

const HERE = __dirname;
const USAGE = 'usage: node check.js [--repo DIR] [notebook…]  (a notebook: its file name or its number, e.g. 02)';

function parseArgs(argv) {
  const opts = { repo: path.resolve(HERE, '..', '..'), names: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--repo') opts.repo = path.resolve(argv[++i] || '');
    else if (argv[i] === '--help' || argv[i] === '-h') { console.log(USAGE); process.exit(0); }
    else if (argv[i].startsWith('-')) throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
    else opts.names.push(argv[i]);
  }
  return opts;
}

/** The notebooks named (by file name or number prefix), or all of them, in order. */
function pickNotebooks(repo, names) {
  const dir = path.join(repo, 'notebooks');
  if (!fs.existsSync(dir)) throw new Error(`no notebooks/ in ${repo}`);
  const all = fs.readdirSync(dir).filter(f => f.endsWith('.ipynb')).sort();
  if (!names.length) return all;
  return names.map(name => {
    const found = all.filter(f => f === name || f === `${name}.ipynb` || f.startsWith(`${name}-`));
    if (found.length !== 1) throw new Error(`"${name}" names ${found.length ? found.join(', ') : 'no notebook'} in ${dir}`);
    return found[0];
  });
}

/** playwright-core is one of the repo's own devDependencies: no second copy here. */
function requireFromRepo(repo, name) {
  try {
    return require(require.resolve(name, { paths: [repo] }));
  } catch {
    throw new Error(`${name} is not installed in ${repo}/node_modules: run \`npm install\` in the repo`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const notebooks = pickNotebooks(opts.repo, opts.names);
  const dataDir = path.resolve(process.env.DIGIT_LAB_DATA_DIR || path.join(opts.repo, 'data'));
  const quick = process.env.DIGIT_LAB_QUICK ?? '1';
  const timeoutMs = Number(process.env.NOTEBOOK_TIMEOUT_MIN || 20) * 60000;
  const { chromium } = requireFromRepo(opts.repo, 'playwright-core');
  ensureBuilt();

  const stateDir = path.join(HERE, 'state');   // rewritten every run
  const shotsDir = path.join(HERE, 'shots');
  fs.rmSync(stateDir, { recursive: true, force: true });
  fs.mkdirSync(shotsDir, { recursive: true });

  // Stop the browser and the server however we end: done, failed, or Ctrl-C.
  let server, browser, cleanup, interrupted = false;
  const stopAll = () => cleanup || (cleanup = (async () => {
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
  })());
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, async () => {
      interrupted = true;
      console.log(`\n${signal}: stopping the browser and the server…`);
      await stopAll();
      process.exit(130);
    });
  }

  try {
    console.log(`repo ${opts.repo}\ndata ${dataDir}${quick === '1' ? ' (quick mode)' : ''}`);
    server = await startLabServer({ repo: opts.repo, dataDir, quick, stateDir, port: Number(process.env.PORT) || 0 });
    console.log(`JupyterLab at ${server.url}/lab (server log: ${path.relative(process.cwd(), server.logFile)})`);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium', handleSIGINT: false, handleSIGTERM: false,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const results = [];
    for (const notebook of notebooks) {
      console.log(`\n${notebook}: Run All…`);
      let result;
      try {
        result = await runNotebook(browser, server.url, notebook, { shotsDir, timeoutMs });
      } catch (e) {
        result = { failures: [`the check itself failed: ${String(e.message || e).split('\n')[0]}`], summary: '' };
      }
      if (interrupted) return; // the page was closed under it: nothing to report
      for (const line of result.failures) console.log(`  FAIL ${notebook} ${line}`);
      console.log(`  ${result.failures.length ? 'FAILED' : 'ok'}: ${result.summary}`);
      results.push({ notebook, ...result });
    }
    const failed = results.filter(r => r.failures.length);
    console.log(`\n${results.length - failed.length}/${results.length} notebooks passed` +
      (failed.length ? `; failed: ${failed.map(r => r.notebook).join(', ')}` : '') + `. Screenshots in ${path.relative(process.cwd(), shotsDir) || '.'}/`);
    process.exitCode = failed.length ? 1 : 0;
  } finally {
    await stopAll();
  }
}

main().catch(e => { console.error(`jupyterlab-check: ${e.message || e}`); process.exitCode = 2; });
