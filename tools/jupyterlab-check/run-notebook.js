// Opens one notebook in the running JupyterLab, runs all cells as a user would (Run All),
// and judges what the page shows. Returns { failures: [line…], summary, facts }.
const fs = require('fs');
const path = require('path');

// What the minimal app itself logs on every page: not from our outputs.
const KNOWN_NOISE = [
  /\/api\/me\b/,                          // jupyterlab_server has no /api/me (jupyter_server 2 has): 404
  /Invalid access: Add Yjs type/,         // JupyterLab 3.6's shared model, while a notebook loads
  /Language pack '.*' not valid/,         // no language packs installed
  /cdnjs\.cloudflare\.com\/.*mathjax/i,   // MathJax 2 comes from a CDN; offline here
];
const LIVE_CELL = /\blive(Training|Comparison)Curves\(/;
// The kernel may say "idle" a moment before the last cell's reply lands (separate channels):
// only a longer stretch is what a user sees as "idle while running".
const IDLE_WHILE_RUNNING_MS = 1000;

async function runNotebook(browser, labUrl, notebook, { shotsDir, timeoutMs }) {
  const started = Date.now();
  const failures = [];
  const pageErrors = [];
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const noteError = (text) => {
    if (KNOWN_NOISE.some(re => re.test(text))) return;
    if (!pageErrors.includes(text)) pageErrors.push(text);
  };
  page.on('pageerror', e => noteError(`page error: ${String(e.message || e).split('\n')[0]}`));
  page.on('console', m => {
    if (m.type() === 'error') noteError(`console error: ${m.text().split('\n')[0].slice(0, 300)} ${m.location().url || ''}`.trim());
  });

  try {
    // ?reset: an empty workspace, so no tab from an earlier run starts a kernel of its own.
    await page.goto(`${labUrl}/lab?reset`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.jupyterapp, null, { timeout: 120000 });
    await page.evaluate(async (nbPath) => {
      const app = window.jupyterapp;
      if (!app.shell.leftCollapsed) app.commands.execute('application:toggle-left-area'); // the notebook gets the width
      const widget = await app.commands.execute('docmanager:open', { path: nbPath, factory: 'Notebook' });
      await widget.context.ready;
      await widget.sessionContext.ready;
      window.nbw = widget;
    }, notebook);
    await page.waitForFunction(() => window.nbw.sessionContext.session?.kernel?.status === 'idle', null, { timeout: 120000 });
    const kernelName = await page.evaluate(() => window.nbw.sessionContext.session.kernel.name);

    await page.evaluate(installTracker, { liveCell: LIVE_CELL.source, idleMs: IDLE_WHILE_RUNNING_MS });
    const runAll = page.evaluate(() => window.jupyterapp.commands.execute('notebook:run-all-cells').then(Boolean));
    runAll.catch(() => {}); // still pending if we time out and close the page
    let timer;
    const timeout = new Promise(resolve => { timer = setTimeout(() => resolve({ timedOut: true }), timeoutMs); });
    const outcome = await Promise.race([runAll.then(ok => ({ ok })), timeout]);
    clearTimeout(timer);
    if (outcome.timedOut) {
      failures.push(`did not finish within ${timeoutMs / 60000} min (Run All still running; NOTEBOOK_TIMEOUT_MIN sets the limit)`);
    } else {
      // The last reply may come just before its cell's prompt is updated; then chart scripts draw.
      await page.waitForFunction(() => window.nbw.sessionContext.session.kernel.status === 'idle'
        && !window.nbw.content.widgets.some(c => c.model.type === 'code' && isRunning(c)), null, { timeout: 30000 }).catch(() => {});
      await page.waitForFunction(() => [...document.querySelectorAll('.jp-Notebook .js-plotly-plot')].every(p => p.querySelector('.main-svg')),
        null, { timeout: 10000 }).catch(() => {});
      await sleep(500);
    }
    const facts = await page.evaluate(collectFacts);
    failures.push(...judge(facts, kernelName));
    if (pageErrors.length) failures.push(...pageErrors.slice(0, 5), ...(pageErrors.length > 5 ? [`… and ${pageErrors.length - 5} more page errors`] : []));

    const dir = path.join(shotsDir, path.basename(notebook, '.ipynb'));
    const shots = await screenshots(page, facts, dir);
    fs.writeFileSync(path.join(dir, 'facts.json'), JSON.stringify({ notebook, kernelName, facts, pageErrors }, null, 1));
    return { failures, facts, summary: summarize(facts, (Date.now() - started) / 1000, shots) };
  } finally {
    // Stop the kernel, close without saving (autosave is off).
    await page.evaluate(() => window.nbw?.sessionContext.shutdown()).catch(() => {});
    await context.close().catch(() => {});
  }
}

/**
 * In the page: per code cell, counts new outputs and outputs replaced in place (a live chart's
 * update_display_data), and every 100 ms notes how many charts it shows at once and whether the
 * kernel reads "idle" while a cell's prompt still says [*].
 */
function installTracker({ liveCell, idleMs }) {
  // A queued or running cell's prompt reads [*]:
  window.isRunning = (cell) => (cell.node.querySelector('.jp-InputPrompt')?.textContent || '').includes('*');
  const cells = window.nbw.content.widgets;
  const track = window.track = { cells: {}, idleWhileRunning: [] };
  cells.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    const t = track.cells[i] = { live: new RegExp(liveCell).test(cell.model.value.text), added: 0, updatedInPlace: 0, maxCharts: 0 };
    cell.model.outputs.changed.connect((_, change) => {
      if (change.type === 'add') t.added++;
      // 'set' also merges consecutive stream text: count only replaced displays.
      if (change.type === 'set' && change.newValues[0]?.type === 'display_data') t.updatedInPlace++;
    });
  });
  // One stretch of "idle" may span several cells run one after another.
  let idleSince = null;
  const closeIdle = (now) => {
    if (idleSince && now - idleSince.at >= idleMs) track.idleWhileRunning.push({ from: idleSince.from, to: idleSince.to, ms: Math.round(now - idleSince.at) });
    idleSince = null;
  };
  track.closeIdle = () => closeIdle(performance.now());
  track.timer = setInterval(() => {
    const now = performance.now();
    cells.forEach((cell, i) => {
      if (!track.cells[i]) return;
      const charts = cell.node.querySelectorAll('.jp-OutputArea .js-plotly-plot').length;
      track.cells[i].maxCharts = Math.max(track.cells[i].maxCharts, charts);
    });
    const running = cells.findIndex(c => c.model.type === 'code' && isRunning(c));
    const idle = window.nbw.sessionContext.session?.kernel?.status === 'idle';
    if (idle && running >= 0) { idleSince = idleSince || { from: running, at: now }; idleSince.to = running; }
    else closeIdle(now);
  }, 100);
}

/** In the page: what every code cell shows once the run is over. */
function collectFacts() {
  clearInterval(window.track.timer);
  window.track.closeIdle();
  const cells = [];
  window.nbw.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    const outputs = Array.from({ length: cell.model.outputs.length }, (_, k) => cell.model.outputs.get(k).toJSON());
    const area = cell.node.querySelector('.jp-OutputArea');
    const charts = area ? [...area.querySelectorAll('.js-plotly-plot')].map(p => {
      const box = p.getBoundingClientRect();
      return { drawn: !!p.querySelector('.main-svg'), width: Math.round(box.width), height: Math.round(box.height) };
    }) : [];
    const text = area ? area.innerText : '';
    cells.push({
      index: i,
      firstLine: cell.model.value.text.split('\n')[0].slice(0, 60),
      executionCount: cell.model.executionCount,
      stillRunning: isRunning(cell),
      errors: outputs.filter(o => o.output_type === 'error').map(o => `${o.ename}: ${String(o.evalue).split('\n')[0]}`),
      chartMessages: (text.match(/Chart (not drawn|failed)[^\n]*/g) || []).map(s => s.slice(0, 160)),
      charts,
      tables: area ? area.querySelectorAll('table').length : 0,
      images: area ? area.querySelectorAll('img').length : 0,
      ...window.track.cells[i],
    });
  });
  return { cells, idleWhileRunning: window.track.idleWhileRunning };
}

/** One line per problem: "cell 10 (…): what is wrong". */
function judge({ cells, idleWhileRunning }, kernelName) {
  const lines = [];
  const at = (c) => `cell ${c.index} (${c.firstLine}${c.firstLine.length >= 60 ? '…' : ''})`;
  if (kernelName !== 'digit-lab') lines.push(`ran on kernel "${kernelName}", not digit-lab`);
  const firstError = cells.find(c => c.errors.length);
  for (const c of cells) {
    for (const e of c.errors) lines.push(`${at(c)}: error ${e}`);
    if (c.stillRunning) lines.push(`${at(c)}: did not finish (prompt still [*])`);
    else if (c.executionCount === null && !(firstError && c.index > firstError.index)) lines.push(`${at(c)}: did not run`);
    c.charts.forEach((ch, k) => {
      const which = c.charts.length > 1 ? `chart ${k + 1} of ${c.charts.length}` : 'chart';
      if (!ch.drawn) lines.push(`${at(c)}: ${which} not drawn (no .main-svg)`);
      else if (!ch.width || !ch.height) lines.push(`${at(c)}: ${which} has zero size (${ch.width}×${ch.height})`);
    });
    for (const m of c.chartMessages) lines.push(`${at(c)}: shows "${m}"`);
    if (c.live && c.maxCharts > 1) lines.push(`${at(c)}: showed ${c.maxCharts} charts at once; live curves must update one chart in place`);
  }
  if (firstError) {
    const notRun = cells.filter(c => c.index > firstError.index && c.executionCount === null);
    if (notRun.length) lines.push(`${notRun.length > 1 ? 'cells' : 'cell'} ${notRun.map(c => c.index).join(', ')}: not run (Run All stops at the error in cell ${firstError.index})`);
  }
  for (const { from, to, ms } of idleWhileRunning) {
    const which = from === to ? `cell ${from}` : `cells ${from}–${to}`;
    lines.push(`${which}: kernel status read "idle" for ${(ms / 1000).toFixed(1)} s while ${from === to ? 'it was' : 'they were'} running`);
  }
  return lines;
}

function summarize({ cells }, seconds, shots) {
  const charts = cells.flatMap(c => c.charts);
  // Updates in place include the progress bar's, not only the chart's.
  const live = cells.filter(c => c.live).map(c => `cell ${c.index} (${c.maxCharts} chart${c.maxCharts === 1 ? '' : 's'} at most, ${c.updatedInPlace} displays updated in place)`);
  return `${cells.filter(c => c.executionCount !== null).length}/${cells.length} code cells run, ` +
    `${charts.filter(c => c.drawn && c.width && c.height).length}/${charts.length} charts drawn, ` +
    `${cells.reduce((n, c) => n + c.tables, 0)} tables, ${cells.reduce((n, c) => n + c.images, 0)} images, ` +
    `live: ${live.join(', ') || 'none'}, ${shots} screenshots, ${seconds.toFixed(0)} s`;
}

/** The top of the notebook, and every cell output with a chart, table or image. */
async function screenshots(page, { cells }, dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  await page.evaluate(() => window.nbw.content.widgets[0].node.scrollIntoView());
  await page.screenshot({ path: path.join(dir, 'top.png') });
  // A viewport as tall as the tallest output, so no output is cut at the bottom.
  const tallest = await page.evaluate(() => Math.max(...window.nbw.content.widgets.map(c => c.node.getBoundingClientRect().height)));
  await page.setViewportSize({ width: 1400, height: Math.min(8000, Math.max(1000, Math.ceil(tallest) + 200)) });
  let count = 1;
  for (const c of cells.filter(c => c.charts.length || c.tables || c.images)) {
    const output = page.locator('.jp-Notebook .jp-Cell').nth(c.index).locator('.jp-Cell-outputWrapper');
    try {
      await output.scrollIntoViewIfNeeded({ timeout: 5000 });
      await output.screenshot({ path: path.join(dir, `cell-${String(c.index).padStart(2, '0')}.png`), timeout: 15000 });
      count++;
    } catch (e) {
      console.log(`  (no screenshot of cell ${c.index}: ${String(e.message).split('\n')[0]})`);
    }
  }
  return count;
}

const sleep = (ms) => new Promise(r => setTimeout(r, ms));

module.exports = { runNotebook };
