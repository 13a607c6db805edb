/**
 * A Node built-in module (e.g. `'node:crypto'`) found at run time through
 * `process.getBuiltinModule` (Node 20.16 and later, and runtimes that mimic it), never
 * imported, so browser bundles do not see it. `undefined` where the runtime has no such
 * function or module. Callers keep the `@noble` or Web Crypto path as the fallback.
 */
export function nodeBuiltin<T>(id: string): T | undefined {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process;
    return (proc?.getBuiltinModule?.(id) as T | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}
