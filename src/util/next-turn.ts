/**
 * Lets the event loop run (timers, signal handlers such as Ctrl-C) before going on: WASM
 * kernels are synchronous, so a long loop of them would starve everything else.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
