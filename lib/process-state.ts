/**
 * Process-wide state, in one place. Next bundles `lib/` into several chunks
 * and `server.ts` loads it once more, so a module-level `let` exists once per
 * bundle; what must be one per process (the database handle, the logger, the
 * outbox worker, the caches) lives in a slot here, on `globalThis` under one
 * key. Depends on nothing, so every layer, `lib/db/` included, may use it.
 */
const slots = ((globalThis as unknown as { __zdrProcessState?: Map<string, object> }).__zdrProcessState ??= new Map<string, object>());

/** The one state object named `name` in this process, made by `init` the first time it is asked for. */
export function processState<S extends object>(name: string, init: () => S): S {
  let s = slots.get(name) as S | undefined;
  if (!s) {
    s = init();
    slots.set(name, s);
  }
  return s;
}
