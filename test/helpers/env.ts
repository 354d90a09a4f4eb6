/** Environment variables set for the length of one call, for code that reads them per call. */

/**
 * Runs `f` with `env` set (undefined: unset), then puts the variables back as they were,
 * also when `f` throws; for an async `f`, once its promise settles.
 */
export function withEnv<T>(env: Record<string, string | undefined>, f: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  };
  apply(env);
  let result: T;
  try {
    result = f();
  } catch (err) {
    apply(saved);
    throw err;
  }
  if (result instanceof Promise) return result.finally(() => apply(saved)) as T;
  apply(saved);
  return result;
}
