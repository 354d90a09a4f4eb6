#!/usr/bin/env node
// Runs digit-lab's notebooks in a real JupyterLab (3.6, or 4 with --lab 4) in Chromium (Run All,
// as a user would, then a scroll through the notebook) and exits non-zero with one line per
// problem. See README.md.
//
//   node check.js [--lab 3.6|4] [--windowing MODE] [--reopen] [--repo DIR] [notebook…]
//   e.g. node check.js --lab 4 --windowing full 02 03-compare-architectures.ipynb
const fs = require('fs');
const path = require('path');
const { ensureBuilt, startLabServer } = require('./lab-server');
const { runNotebook, openSaved } = require('./run-notebook');
const { labVersion } = require('./versions');

const HERE = __dirname;
const USAGE = `usage: node check.js [--lab 3.6|4] [--windowing MODE] [--reopen] [--repo DIR] [notebook…]
  notebook     its file name or its number, e.g. 02 (default: all)
  --lab        the JupyterLab version: 3.6 (default) or 4 (its app in lab4/)
  --windowing  JupyterLab 4's notebook windowingMode: contentVisibility (4.6's default), full, defer
               or none (default: JupyterLab's own default)
  --reopen     also save each notebook after Run All (outputs, signed as trusted) and open it again
               from disk in a new tab, without running it, and check its charts draw when scrolled to
  --saved DIR  run nothing: open the executed notebooks in DIR (inside the repo, e.g. reports/ from
               \`npm run notebooks\`) as saved and check their charts draw when scrolled to`;

function parseArgs(argv) {
  const opts = { repo: path.resolve(HERE, '..', '..'), names: [], lab: '3.6', windowing: null, reopen: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--repo') opts.repo = path.resolve(argv[++i] || '');
    else if (argv[i] === '--lab') opts.lab = argv[++i] || '';
    else if (argv[i] === '--windowing') opts.windowing = argv[++i] || '';
    else if (argv[i] === '--reopen') opts.reopen = true;
    else if (argv[i] === '--saved') opts.saved = path.resolve(argv[++i] || '');
    else if (argv[i] === '--help' || argv[i] === '-h') { console.log(USAGE); process.exit(0); }
    else if (argv[i].startsWith('-')) throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
    else opts.names.push(argv[i]);
  }
  const lab = labVersion(opts.lab);
  if (opts.windowing && !lab.windowing.includes(opts.windowing)) {
    throw new Error(`--windowing ${opts.windowing}: ` + (lab.windowing.length
      ? `JupyterLab ${opts.lab} has ${lab.windowing.join(', ')}` : `JupyterLab ${opts.lab} has no windowing`));
  }
  return { ...opts, lab };
}

/** A copy of settings/overrides.json with the notebook's windowingMode set, for the server. */
function writeSettings(dir, windowing) {
  const overrides = JSON.parse(fs.readFileSync(path.join(HERE, 'settings', 'overrides.json'), 'utf8'));
  const tracker = '@jupyterlab/notebook-extension:tracker';
  overrides[tracker] = { ...overrides[tracker], windowingMode: windowing };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'overrides.json'), JSON.stringify(overrides, null, 2));
  return dir;
}

/** The notebooks named (by file name or number prefix), or all of them, in order. */
function pickNotebooks(dir, names) {
  if (!fs.existsSync(dir)) throw new Error(`no folder ${dir}`);
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
  // The server's root is the repo: notebooks open by their path in it.
  const notebookDir = path.relative(opts.repo, opts.saved || path.join(opts.repo, 'notebooks'));
  if (notebookDir.startsWith('..') || path.isAbsolute(notebookDir)) throw new Error(`--saved ${opts.saved}: not inside ${opts.repo}`);
  const notebooks = pickNotebooks(path.join(opts.repo, notebookDir), opts.names);
  const dataDir = path.resolve(process.env.DIGIT_LAB_DATA_DIR || path.join(opts.repo, 'data'));
  const quick = process.env.DIGIT_LAB_QUICK ?? '1';
  const timeoutMs = Number(process.env.NOTEBOOK_TIMEOUT_MIN || 20) * 60000;
  const { chromium } = requireFromRepo(opts.repo, 'playwright-core');
  const { lab, windowing } = opts;
  ensureBuilt(lab.appDir);

  // One folder per version and windowing mode, so runs of each can go side by side.
  const tag = `${lab.lab}${windowing ? `-${windowing}` : ''}`;
  const stateDir = path.join(HERE, 'state', tag);   // rewritten every run
  const shotsDir = path.join(HERE, 'shots', tag);
  fs.rmSync(stateDir, { recursive: true, force: true });
  fs.mkdirSync(shotsDir, { recursive: true });
  const settingsDir = windowing ? writeSettings(path.join(stateDir, 'app_settings'), windowing) : null;
  // --reopen saves the run notebooks here: inside the server's root (the repo), outside notebooks/.
  const reopenDir = opts.reopen ? path.relative(opts.repo, path.join(stateDir, 'reopen')) : null;
  if (reopenDir && reopenDir.startsWith('..')) throw new Error(`--reopen saves into ${stateDir}, which is not inside ${opts.repo}`);
  if (reopenDir) fs.mkdirSync(path.join(opts.repo, reopenDir), { recursive: true });

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
    console.log(`JupyterLab ${lab.version}, windowing: ${windowing || (lab.windowing.length ? `default (${lab.windowing[0]})` : 'none in 3.6')}` +
      `${opts.reopen ? ', then reopened from disk' : ''}${opts.saved ? `, opening the saved notebooks in ${notebookDir}/ (not run)` : ''}\nrepo ${opts.repo}\ndata ${dataDir}${quick === '1' ? ' (quick mode)' : ''}`);
    server = await startLabServer({ repo: opts.repo, appDir: lab.appDir, settingsDir, dataDir, quick, stateDir, port: Number(process.env.PORT) || 0 });
    console.log(`JupyterLab at ${server.url}/lab (server log: ${path.relative(process.cwd(), server.logFile)})`);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium', handleSIGINT: false, handleSIGTERM: false,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const results = [];
    for (const notebook of notebooks) {
      console.log(`\n${notebook}: ${opts.saved ? 'open as saved' : 'Run All'}…`);
      let result;
      try {
        result = opts.saved ? await openSaved(browser, server.url, `${notebookDir}/${notebook}`, lab.noise)
          : await runNotebook(browser, server.url, `${notebookDir}/${notebook}`,
            { shotsDir, timeoutMs, noise: lab.noise, reopenPath: reopenDir && `${reopenDir}/${notebook}` });
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
