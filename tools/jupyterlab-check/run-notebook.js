// Opens one notebook in the running JupyterLab (3.6 or 4), runs all cells as a user would
// (Run All), scrolls through it cell by cell and judges what the page shows; with `reopenPath`,
// saves it there and opens it again from disk. Returns { failures: [line…], summary, facts }.
const fs = require('fs');
const path = require('path');

// A chart's element: digit-lab's box (before and after drawing), or any plotly.js plot.
const CHART = '.jp-OutputArea .digit-lab-chart, .jp-OutputArea .js-plotly-plot';
// How long a chart scrolled into view may take to draw: its script waits 3 s for plotly.js.
const DRAW_WAIT_MS = 6000;
const LIVE_CELL = /\blive(Training|Comparison)Curves\(/;
// The kernel may say "idle" a moment before the last cell's reply lands (separate channels):
// only a longer stretch is what a user sees as "idle while running".
const IDLE_WHILE_RUNNING_MS = 1000;

async function runNotebook(browser, labUrl, notebook, { shotsDir, timeoutMs, noise, reopenPath }) {
  const started = Date.now();
  const failures = [];
  const { page, context, pageErrors } = await openPage(browser, labUrl, notebook, noise);
  try {
    await page.waitForFunction(() => window.nbw.sessionContext.session?.kernel?.status === 'idle', null, { timeout: 120000 });
    const kernelName = await page.evaluate(() => window.nbw.sessionContext.session.kernel.name);

    await page.evaluate(installTracker, { liveCell: LIVE_CELL.source, idleMs: IDLE_WHILE_RUNNING_MS, selector: CHART });
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
    facts.scrolled = await scrollThrough(page);
    failures.push(...judge(facts, kernelName), ...errorLines(pageErrors));

    const dir = path.join(shotsDir, path.basename(notebook, '.ipynb'));
    const shots = await screenshots(page, facts, dir);
    fs.writeFileSync(path.join(dir, 'facts.json'), JSON.stringify({ notebook, kernelName, facts, pageErrors }, null, 1));
    let summary = summarize(facts, (Date.now() - started) / 1000, shots);
    if (reopenPath && !outcome.timedOut) {
      await page.evaluate(saveCopy, reopenPath);
      const reopened = await openSaved(browser, labUrl, reopenPath, noise);
      failures.push(...reopened.failures.map(line => `reopened from disk: ${line}`));
      fs.writeFileSync(path.join(dir, 'reopened.json'), JSON.stringify(reopened, null, 1));
      summary += `; reopened from disk: ${reopened.summary}`;
    }
    return { failures, facts, summary };
  } finally {
    // Stop the kernel, close without saving (autosave is off).
    await page.evaluate(() => window.nbw?.sessionContext.shutdown()).catch(() => {});
    await context.close().catch(() => {});
  }
}

/** A new tab with the notebook at `nbPath` (relative to the server's root) open as window.nbw. */
async function openPage(browser, labUrl, nbPath, noise) {
  const pageErrors = [];
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const noteError = (text) => {
    if (noise.some(re => re.test(text))) return;
    if (!pageErrors.includes(text)) pageErrors.push(text);
  };
  page.on('pageerror', e => noteError(`page error: ${String(e.message || e).split('\n')[0]}`));
  page.on('console', m => {
    const { url, lineNumber } = m.location();
    if (m.type() === 'error') noteError(`console error: ${m.text().split('\n')[0].slice(0, 300)} ${url ? `${url}:${lineNumber + 1}` : ''}`.trim());
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
      // Source text: a shared model in 4.x, an observable string in 3.6.
      window.sourceOf = (cell) => cell.model.sharedModel ? cell.model.sharedModel.getSource() : cell.model.value.text;
    }, nbPath);
  } catch (e) {
    await context.close().catch(() => {});
    throw e;
  }
  return { page, context, pageErrors };
}

function errorLines(pageErrors) {
  return [...pageErrors.slice(0, 5), ...(pageErrors.length > 5 ? [`… and ${pageErrors.length - 5} more page errors`] : [])];
}

/**
 * In the page: saves the notebook as it is now, outputs included, to `copyPath`. The server signs
 * it as trusted (every output came from this session), as Jupyter does on a user's save.
 */
async function saveCopy(copyPath) {
  const model = window.nbw.context.model;
  await window.jupyterapp.serviceManager.contents.save(copyPath, { type: 'notebook', format: 'json', content: model.toJSON() });
}

/** Opens a saved, executed notebook in a new tab, runs nothing, and scrolls through it as after Run All. */
async function openSaved(browser, labUrl, copyPath, noise) {
  const { page, context, pageErrors } = await openPage(browser, labUrl, copyPath, noise);
  try {
    await sleep(1000); // what a user sees once the page has settled
    const untrusted = await page.evaluate(() => window.nbw.content.widgets
      .map((cell, index) => ({ index, cell }))
      .filter(({ cell }) => cell.model.type === 'code' && cell.model.outputs.length && !cell.model.trusted)
      .map(({ index }) => index));
    const scrolled = await scrollThrough(page);
    const failures = [
      ...(untrusted.length ? [`cells ${untrusted.join(', ')} open as not trusted (their scripts do not run)`] : []),
      ...chartLines(scrolled),
      ...errorLines(pageErrors),
    ];
    const charts = scrolled.flatMap(c => c.charts);
    return { failures, scrolled, summary: `${charts.filter(isDrawn).length}/${charts.length} charts drawn when scrolled to` };
  } finally {
    await page.evaluate(() => window.nbw?.sessionContext.shutdown()).catch(() => {});
    await context.close().catch(() => {});
  }
}

/**
 * Scrolls from the top of the notebook to its end, cell by cell, as a reader would, and waits at
 * each chart (scrolled to the middle of the view) until it is drawn or DRAW_WAIT_MS have passed.
 * JupyterLab 4 may keep cells out of view detached from the page (windowing): a chart is judged
 * only once its cell is in view. Returns, per code cell with charts, what each showed.
 */
async function scrollThrough(page) {
  const count = await page.evaluate(() => window.nbw.content.widgets.length);
  const cells = [];
  for (let i = 0; i < count; i++) {
    const inCell = await page.evaluate(async ({ i, selector }) => {
      const notebook = window.nbw.content, cell = notebook.widgets[i];
      if (cell.model.type !== 'code') return -1;
      notebook.activeCellIndex = i;
      // 4.x: the windowed list attaches the cell on a later frame; 3.6: every cell is on the page.
      if (notebook.scrollToItem) await notebook.scrollToItem(i, 'start');
      else cell.node.scrollIntoView({ block: 'start' });
      for (let t = 0; t < 50 && !document.contains(cell.node); t++) await new Promise(r => setTimeout(r, 100));
      return cell.node.querySelectorAll(selector).length;
    }, { i, selector: CHART });
    if (inCell <= 0) continue;
    const charts = [];
    for (let k = 0; k < inCell; k++) {
      charts.push(await page.evaluate(async ({ i, k, selector, waitMs }) => {
        const cell = window.nbw.content.widgets[i];
        const el = cell.node.querySelectorAll(selector)[k];
        if (!el) return { missing: true };
        el.scrollIntoView({ block: 'center' });
        const look = () => {
          const box = el.getBoundingClientRect();
          const message = ((el.innerText || '').match(/Chart (not drawn|failed)[^\n]*/) || [''])[0].slice(0, 160);
          const svg = el.querySelector('.main-svg');
          return { drawn: !!svg, width: Math.round(box.width), height: Math.round(box.height),
            // A chart that takes its box's width (not a fixed-width figure) is drawn as wide as its box.
            followsBox: el.style.width === '100%', svgWidth: svg ? Math.round(svg.getBoundingClientRect().width) : 0,
            onPage: document.contains(el), message, resizing: el.hasAttribute('data-digit-lab-resizing') };
        };
        const t0 = performance.now();
        let seen = look();
        while (!(seen.drawn && seen.width && seen.height && !seen.resizing) && performance.now() - t0 < waitMs) {
          await new Promise(r => setTimeout(r, 100));
          seen = look();
        }
        return { ...seen, waitedMs: Math.round(performance.now() - t0) };
      }, { i, k, selector: CHART, waitMs: DRAW_WAIT_MS }));
    }
    const firstLine = await page.evaluate((i) => window.sourceOf(window.nbw.content.widgets[i]).split('\n')[0].slice(0, 60), i);
    cells.push({ index: i, firstLine, charts });
  }
  return cells;
}

const isDrawn = (ch) => ch.drawn && ch.width > 0 && ch.height > 0 && !ch.message;

/** One line per chart that was not drawn once scrolled into view. */
function chartLines(scrolled) {
  const lines = [];
  for (const c of scrolled) {
    const at = `cell ${c.index} (${c.firstLine}${c.firstLine.length >= 60 ? '…' : ''})`;
    c.charts.forEach((ch, k) => {
      const which = c.charts.length > 1 ? `chart ${k + 1} of ${c.charts.length}` : 'chart';
      if (ch.missing) lines.push(`${at}: ${which} left the page while scrolled to`);
      else if (ch.message) lines.push(`${at}: ${which} shows "${ch.message}" when scrolled into view`);
      else if (!ch.onPage) lines.push(`${at}: ${which} is not on the page when its cell is in view`);
      else if (!ch.drawn) lines.push(`${at}: ${which} not drawn (no .main-svg) ${ch.waitedMs} ms after it was scrolled into view`);
      else if (!ch.width || !ch.height) lines.push(`${at}: ${which} has zero size (${ch.width}×${ch.height})`);
      else if (ch.followsBox && Math.abs(ch.svgWidth - ch.width) > 2) lines.push(`${at}: ${which} drawn ${ch.svgWidth} px wide in its ${ch.width} px box`);
    });
  }
  return lines;
}

/**
 * In the page: per code cell, counts new outputs and outputs replaced in place (a live chart's
 * update_display_data), and every 100 ms notes how many charts it shows at once and whether the
 * kernel reads "idle" while a cell's prompt still says [*].
 */
function installTracker({ liveCell, idleMs, selector }) {
  // Whether the cell's outputs are on the page and rendered: 4.x windowing removes cells out of
  // view from the page, hides them (display: none, visibility: hidden) or skips their rendering
  // (content-visibility: auto).
  const shown = (cell) => document.contains(cell.node) &&
    (cell.node.querySelector('.jp-OutputArea') || cell.node).checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true });
  // A queued or running cell's prompt reads [*]:
  window.isRunning = (cell) => (cell.node.querySelector('.jp-InputPrompt')?.textContent || '').includes('*');
  const cells = window.nbw.content.widgets;
  // offPage: cells seen not shown while cells ran (4.x windowing), so a run shows what it tested.
  const track = window.track = { cells: {}, idleWhileRunning: [], offPage: new Set() };
  cells.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    const t = track.cells[i] = { live: new RegExp(liveCell).test(window.sourceOf(cell)), added: 0, updatedInPlace: 0, maxCharts: 0 };
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
      // Boxes, drawn or not: a cell out of view (4.x windowing) may not have drawn yet.
      const charts = cell.node.querySelectorAll(selector).length;
      track.cells[i].maxCharts = Math.max(track.cells[i].maxCharts, charts);
      if (!shown(cell)) track.offPage.add(i);
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
      firstLine: window.sourceOf(cell).split('\n')[0].slice(0, 60),
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
  return { cells, idleWhileRunning: window.track.idleWhileRunning, offPage: [...window.track.offPage],
    windowing: window.nbw.content.notebookConfig?.windowingMode || null };
}

/** One line per problem: "cell 10 (…): what is wrong". */
function judge({ cells, idleWhileRunning, scrolled }, kernelName) {
  const lines = [];
  const at = (c) => `cell ${c.index} (${c.firstLine}${c.firstLine.length >= 60 ? '…' : ''})`;
  if (kernelName !== 'digit-lab') lines.push(`ran on kernel "${kernelName}", not digit-lab`);
  const firstError = cells.find(c => c.errors.length);
  for (const c of cells) {
    for (const e of c.errors) lines.push(`${at(c)}: error ${e}`);
    if (c.stillRunning) lines.push(`${at(c)}: did not finish (prompt still [*])`);
    else if (c.executionCount === null && !(firstError && c.index > firstError.index)) lines.push(`${at(c)}: did not run`);
    if (c.live && c.maxCharts > 1) lines.push(`${at(c)}: showed ${c.maxCharts} charts at once; live curves must update one chart in place`);
  }
  // Charts are judged in view (scrollThrough): with 4.x windowing a cell out of view may not have drawn yet.
  lines.push(...chartLines(scrolled));
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

function summarize({ cells, scrolled, windowing, offPage }, seconds, shots) {
  const charts = scrolled.flatMap(c => c.charts);
  // Updates in place include the progress bar's, not only the chart's.
  const live = cells.filter(c => c.live).map(c => `cell ${c.index} (${c.maxCharts} chart${c.maxCharts === 1 ? '' : 's'} at most, ${c.updatedInPlace} displays updated in place)`);
  return `${cells.filter(c => c.executionCount !== null).length}/${cells.length} code cells run, ` +
    `${charts.filter(isDrawn).length}/${charts.length} charts drawn when scrolled to, ` +
    `${cells.reduce((n, c) => n + c.tables, 0)} tables, ${cells.reduce((n, c) => n + c.images, 0)} images, ` +
    `live: ${live.join(', ') || 'none'}, ` +
    (windowing ? `windowing ${windowing} (${offPage.length} code cells not shown at times during Run All), ` : '') +
    `${shots} screenshots, ${seconds.toFixed(0)} s`;
}

/** The top of the notebook, and every cell output with a chart, table or image. */
async function screenshots(page, { cells, scrolled }, dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const scrollTo = (i) => page.evaluate(async (i) => {
    const notebook = window.nbw.content;
    if (notebook.scrollToItem) await notebook.scrollToItem(i, 'start');
    else notebook.widgets[i].node.scrollIntoView();
  }, i);
  await scrollTo(0);
  await page.screenshot({ path: path.join(dir, 'top.png') });
  // A viewport as tall as the tallest output, so no output is cut at the bottom.
  const tallest = await page.evaluate(() => Math.max(...window.nbw.content.widgets.map(c => c.node.getBoundingClientRect().height)));
  await page.setViewportSize({ width: 1400, height: Math.min(8000, Math.max(1000, Math.ceil(tallest) + 200)) });
  let count = 1;
  const withCharts = new Set(scrolled.map(c => c.index));
  for (const c of cells.filter(c => withCharts.has(c.index) || c.tables || c.images)) {
    try {
      // By the cell's widget, not its place among .jp-Cell nodes: 4.x may leave cells out of the page.
      await scrollTo(c.index);
      const output = await page.waitForFunction((i) => {
        const node = window.nbw.content.widgets[i].node;
        return document.contains(node) && node.querySelector('.jp-Cell-outputWrapper');
      }, c.index, { timeout: 5000 });
      await output.asElement().screenshot({ path: path.join(dir, `cell-${String(c.index).padStart(2, '0')}.png`), timeout: 15000 });
      count++;
    } catch (e) {
      console.log(`  (no screenshot of cell ${c.index}: ${String(e.message).split('\n')[0]})`);
    }
  }
  return count;
}

const sleep = (ms) => new Promise(r => setTimeout(r, ms));

module.exports = { runNotebook, openSaved };
