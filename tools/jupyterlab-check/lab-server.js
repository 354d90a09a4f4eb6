// Builds the minimal JupyterLab app if needed, and starts / stops its server (Debian's
// jupyter_server + jupyterlab_server) on a free loopback port with digit-lab's kernel.
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');

const HERE = __dirname;
const PYTHON = process.env.PYTHON || '/usr/bin/python3';
const APT_HINT = 'apt-get install -y --no-install-recommends python3-jupyter-server python3-jupyterlab-server';

/** Runs webpack when appDir's build/ is missing or older than what it is built from. */
function ensureBuilt(appDir) {
  if (!fs.existsSync(path.join(appDir, 'node_modules', '@jupyterlab', 'builder'))) {
    throw new Error(`JupyterLab packages are not installed: run \`npm install\` in ${appDir} first`);
  }
  const bundle = path.join(appDir, 'build', 'bundle.js');
  const sources = [...['index.js', 'webpack.config.js', 'package-lock.json'].map(f => path.join(appDir, f)),
    ...['boot.js', 'webpack-app.js'].map(f => path.join(HERE, f))];
  const builtAt = fs.existsSync(bundle) ? fs.statSync(bundle).mtimeMs : 0;
  if (sources.every(f => fs.statSync(f).mtimeMs < builtAt)) return;
  console.log(`Building the JupyterLab app in ${path.relative(process.cwd(), appDir) || '.'} (webpack, ~20 s)…`);
  const r = spawnSync(process.execPath, [path.join(appDir, 'node_modules', 'webpack', 'bin', 'webpack.js')], { cwd: appDir, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('webpack build failed (output above)');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/**
 * Starts the server of the app in `appDir` with `repo` as its root (notebooks open as
 * notebooks/NN-….ipynb) and returns { url, stop }. Everything it writes (settings, workspaces,
 * kernel connection files, checkpoints, its log) goes to `stateDir`; autosave is off
 * (settings/overrides.json, or `settingsDir` with a copy of it), so the notebooks are never written.
 */
async function startLabServer({ repo, appDir, settingsDir, dataDir, quick, stateDir, port }) {
  port = port || await freePort();
  const runtimeDir = path.join(stateDir, 'runtime');
  fs.mkdirSync(runtimeDir, { recursive: true });
  const logFile = path.join(stateDir, 'server.log');
  const log = fs.openSync(logFile, 'w');
  const args = [path.join(HERE, 'main.py'),
    '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${port}`, '--ServerApp.port_retries=0',
    // No token: loopback only, and the browser is ours.
    '--ServerApp.token=', '--ServerApp.password=', '--ServerApp.disable_check_xsrf=True',
    '--ServerApp.open_browser=False', '--ServerApp.allow_root=True',
    `--ServerApp.root_dir=${repo}`,
    // An absolute checkpoint dir keeps .ipynb_checkpoints/ out of the repo's notebooks/.
    `--FileCheckpoints.checkpoint_dir=${path.join(stateDir, 'checkpoints')}`];
  const env = { ...process.env, JUPYTER_PATH: path.join(repo, 'jupyter'), JUPYTER_NO_CONFIG: '1',
    JUPYTER_RUNTIME_DIR: runtimeDir, JLAB_CHECK_STATE_DIR: stateDir, JLAB_CHECK_APP_DIR: appDir,
    ...(settingsDir ? { JLAB_CHECK_SETTINGS_DIR: settingsDir } : {}),
    DIGIT_LAB_DATA_DIR: dataDir, DIGIT_LAB_QUICK: quick };
  // Own process group: Ctrl-C reaches only us, and we stop the server (and its kernels) in order.
  const server = spawn(PYTHON, args, { cwd: HERE, env, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let exited = null;
  server.on('exit', (code, signal) => { exited = { code, signal }; });
  // Last resort if we die without stop(): SIGTERM makes jupyter_server shut its kernels down.
  const onExit = () => { if (!exited) try { process.kill(-server.pid, 'SIGTERM'); } catch {} };
  process.on('exit', onExit);

  const url = `http://127.0.0.1:${port}`;
  const logTail = () => fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n');
  for (const deadline = Date.now() + 60000; ;) {
    if (exited) {
      throw new Error(`the Jupyter server exited (${exited.code ?? exited.signal}) before it was ready. Its log:\n${logTail()}\n` +
        `(jupyter_server and jupyterlab_server come from Debian: ${APT_HINT})`);
    }
    if (Date.now() > deadline) { await stop(); throw new Error(`the Jupyter server did not answer on ${url} within 60 s. Its log:\n${logTail()}`); }
    try { if ((await fetch(`${url}/api/status`)).ok) break; } catch {}
    await new Promise(r => setTimeout(r, 250));
  }

  async function stop() {
    process.off('exit', onExit);
    if (!exited) {
      try { process.kill(-server.pid, 'SIGTERM'); } catch {}
      for (let i = 0; i < 100 && !exited; i++) await new Promise(r => setTimeout(r, 100));
      if (!exited) try { process.kill(-server.pid, 'SIGKILL'); } catch {}
    }
    killKernelsOf(runtimeDir);
  }
  return { url, stop, logFile };
}

/** Kernels run in sessions of their own; any still alive name our runtime dir in their command line. */
function killKernelsOf(runtimeDir) {
  if (!fs.existsSync('/proc')) return;
  for (const pid of fs.readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    let cmdline = '';
    try { cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (cmdline.includes(runtimeDir + '/')) try { process.kill(Number(pid), 'SIGKILL'); } catch {}
  }
}

module.exports = { ensureBuilt, startLabServer, APT_HINT };
