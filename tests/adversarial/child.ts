/** A child process running a TypeScript entry point, its output kept line by line. */
import { spawn, type ChildProcess } from "node:child_process";

export type Child = {
  proc: ChildProcess;
  lines: () => string[];
  exited: Promise<number | null>;
  waitForLine: (re: RegExp, timeoutMs?: number) => Promise<void>;
};

export function startChild(script: string, args: string[], env: Record<string, string>): Child {
  let out = "";
  // One process, not the tsx wrapper: a SIGKILL to a wrapper would leave its child running.
  const proc = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    env: { ...process.env, NODE_ENV: "test", AUTH_SECRET: "x".repeat(40), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const onData = (c: Buffer) => {
    out += c.toString("utf8");
    for (const w of [...waiters]) {
      if (!w.re.test(out)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return {
    proc,
    exited,
    // A line counts only once it is complete: a kill can cut the last one.
    lines: () => out.split("\n").slice(0, -1),
    waitForLine: (re, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        if (re.test(out)) return resolve();
        const t = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; output:\n${out.slice(-2000)}`)), timeoutMs);
        waiters.push({ re, resolve: () => (clearTimeout(t), resolve()) });
        void exited.then(() => setTimeout(() => reject(new Error(`exited before ${re}; output:\n${out.slice(-2000)}`)), 50));
      }),
  };
}

/** Acknowledged event ids in an ingest child's output. */
export function ackedIds(lines: string[]): string[] {
  return lines.filter((l) => l.startsWith("ack ")).flatMap((l) => l.slice(4).split(","));
}
