/**
 * A stand-in for the tslab kernel's displays: replaces tslab's `newDisplay` (required lazily by
 * src/util/notebook) with one that records every bundle each display is sent, for the length
 * of `body`.
 */
export function withStandInDisplays<T>(body: (displays: unknown[][]) => Promise<T>): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tslab = require("tslab") as { newDisplay: unknown };
  const original = tslab.newDisplay;
  const displays: unknown[][] = [];
  tslab.newDisplay = () => {
    const sent: unknown[] = [];
    displays.push(sent);
    return { bundle: (data: unknown) => void sent.push(data) };
  };
  return body(displays).finally(() => {
    tslab.newDisplay = original;
  });
}
