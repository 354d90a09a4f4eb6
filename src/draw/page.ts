/** The drawing pad's HTML (its behaviour is src/web/pad.ts, served as /pad.js). */
export function padPageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>digit-lab · drawing pad</title>
<link rel="icon" href="data:,">
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; padding: 16px; background: #f6f7f9; color: #222; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  p.hint { margin: 0 0 12px; color: #555; font-size: 14px; }
  main { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
  /* As wide as the pad, whatever the status line says: else the models wrap under it. */
  .pad-column { display: flex; flex-direction: column; gap: 8px; max-width: 340px; }
  #pad { width: min(84vw, 336px); height: min(84vw, 336px); background: #fff; border: 2px solid #333; border-radius: 6px;
         touch-action: none; cursor: crosshair; }
  .controls { display: flex; gap: 8px; align-items: center; }
  button { font-size: 16px; padding: 8px 18px; border-radius: 6px; border: 1px solid #333; background: #fff; cursor: pointer; }
  button:active { background: #eee; }
  .seen { display: flex; gap: 8px; align-items: center; font-size: 13px; color: #555; }
  #preview { width: 84px; height: 84px; image-rendering: pixelated; background: #000; border-radius: 4px; }
  #models { display: flex; flex-wrap: wrap; gap: 12px; flex: 1 1 240px; }
  .model { background: #fff; border: 1px solid #ccc; border-radius: 8px; padding: 10px 14px; min-width: 220px; }
  .model h2 { font-size: 14px; margin: 0 0 2px; font-weight: 600; }
  .model .meta { font-size: 11px; color: #777; margin-bottom: 6px; }
  .model .digit { font-size: 44px; font-weight: 700; line-height: 1; }
  .model .confidence { font-size: 13px; color: #555; margin-left: 6px; }
  .bar { display: grid; grid-template-columns: 14px 1fr 48px; gap: 6px; align-items: center; font-size: 12px; margin: 2px 0; }
  .bar.named { grid-template-columns: 96px 1fr 48px; }
  .bar .label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .model .class-name { font-size: 20px; font-weight: 600; margin-left: 8px; }
  .model .warning { font-size: 12px; color: #8a4b00; background: #fff4e0; border: 1px solid #f0c070; border-radius: 4px;
                    padding: 4px 6px; margin: 4px 0 6px; max-width: 300px; }
  .bar .track { background: #eceff3; height: 12px; border-radius: 3px; overflow: hidden; }
  .bar .fill { background: #9fb4c7; height: 100%; width: 0; transition: width 80ms linear; }
  /* The answer in the gallery's blue: red means "wrong" there, and the pad cannot know. */
  .bar.top .fill { background: #4c78a8; }
  .bar .value { text-align: right; font-variant-numeric: tabular-nums; }
  #status { font-size: 13px; color: #555; min-height: 1.2em; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
</style>
</head>
<body>
<h1>Draw a digit</h1>
<p class="hint">Draw one digit (0–9) with the mouse, a pen or a finger. Each model reads it as you draw. Esc or C clears.</p>
<main>
  <div class="pad-column">
    <canvas id="pad" width="280" height="280" aria-label="drawing pad"></canvas>
    <div class="controls">
      <button id="clear" type="button">Clear</button>
      <div class="seen"><canvas id="preview" width="28" height="28" aria-label="what the models see"></canvas><span>what the<br>models see (28×28)</span></div>
    </div>
    <div id="status">loading models…</div>
  </div>
  <div id="models"></div>
  <div id="summary" class="sr-only" aria-live="polite"></div>
</main>
<script src="/tf.min.js"></script>
<script src="/pad.js"></script>
</body>
</html>
`;
}
