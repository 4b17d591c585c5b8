"use client";

import { useId, useState } from "react";
import type { JSONWebKeySet } from "jose";
import { verifyDocumentText, type VerifyResult } from "@/lib/audit/verify";

type State = { status: "idle" } | { status: "checking" } | { status: "done"; result: VerifyResult; name: string };

async function publishedKeys(): Promise<JSONWebKeySet | undefined> {
  try {
    const res = await fetch("/.well-known/jwks.json", { cache: "no-store" });
    return res.ok ? ((await res.json()) as JSONWebKeySet) : undefined;
  } catch {
    return undefined;
  }
}

export function VerifyPanel() {
  const [state, setState] = useState<State>({ status: "idle" });
  const [text, setText] = useState("");
  const [dragging, setDragging] = useState(false);
  const textId = useId();
  const fileId = useId();

  async function check(content: string, name: string) {
    setState({ status: "checking" });
    let result: VerifyResult;
    try {
      result = await verifyDocumentText(content, await publishedKeys());
    } catch {
      result = {
        ok: false,
        kind: "unknown",
        problem: "This browser could not check the document (it may lack Ed25519 in WebCrypto); use npm run verify instead.",
      };
    }
    setState({ status: "done", result, name });
  }

  async function onFile(file: File | undefined) {
    if (!file) return;
    await check(await file.text(), file.name);
  }

  return (
    <div className="mt-6 space-y-4">
      <div
        data-testid="verify-drop"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          void onFile(e.dataTransfer.files[0]);
        }}
        className={`rounded-lg border-2 border-dashed p-6 text-center ${dragging ? "border-sky-500 bg-sky-50 dark:bg-sky-950" : "border-slate-300 dark:border-slate-700"}`}
      >
        <label htmlFor={fileId} className="block text-sm font-medium">
          Drop a file here, or choose one
        </label>
        <input
          id={fileId}
          type="file"
          accept=".json,.jws,.txt,application/json"
          className="mx-auto mt-2 block text-sm"
          onChange={(e) => void onFile(e.target.files?.[0])}
        />
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void check(text, "pasted text");
        }}
      >
        <label htmlFor={textId} className="block text-sm font-medium">
          Or paste the document
        </label>
        <textarea
          id={textId}
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={8}
          spellCheck={false}
          className="mt-1 w-full rounded-md border border-slate-300 bg-white p-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-900"
        />
        <button
          type="submit"
          className="mt-2 rounded-md bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 dark:bg-slate-100 dark:text-slate-900"
        >
          Verify
        </button>
      </form>
      <div aria-live="polite" role="status" data-testid="verify-result">
        {state.status === "checking" ? <p className="text-sm">Checking…</p> : null}
        {state.status === "done" ? <ResultView result={state.result} name={state.name} /> : null}
      </div>
    </div>
  );
}

function ResultView({ result, name }: { result: VerifyResult; name: string }) {
  if (!result.ok) {
    return (
      <div data-state="failed" className="rounded-lg border border-red-300 bg-red-50 p-4 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
        <p className="font-semibold">Not verified ({name})</p>
        <p className="mt-1 text-sm">{result.problem}</p>
      </div>
    );
  }
  return (
    <div
      data-state="verified"
      className="rounded-lg border border-emerald-300 bg-emerald-50 p-4 text-emerald-950 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-50"
    >
      <p className="font-semibold">
        Verified: {result.kind.replace(/_/g, " ")} ({name})
      </p>
      <p className="mt-1 text-sm">{result.summary}</p>
      <dl className="mt-3 space-y-2 text-sm">
        <div>
          <dt className="font-medium">What this proves</dt>
          <dd>{result.proves}</dd>
        </div>
        <div>
          <dt className="font-medium">What it does not prove</dt>
          <dd>{result.doesNotProve}</dd>
        </div>
        {result.kid ? (
          <div>
            <dt className="font-medium">Signing key</dt>
            <dd className="font-mono text-xs break-all">{result.kid}</dd>
          </div>
        ) : null}
      </dl>
    </div>
  );
}
