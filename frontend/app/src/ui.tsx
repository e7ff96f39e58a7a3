import { useCallback, useState } from "react";
import { describe } from "./api";

/** A problem to read: announced at once by screen readers. */
export function Alert({ text }: { text: string }) {
  return text ? (
    <p className="error" role="alert">
      {text}
    </p>
  ) : null;
}

export type Task = { busy: boolean; error: string; setError: (text: string) => void; run: (work: () => Promise<void>) => Promise<void> };

/** One action at a time: busy while it runs, its failure in words for an Alert. */
export function useTask(): Task {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const run = useCallback(async (work: () => Promise<void>) => {
    setBusy(true);
    setError("");
    try {
      await work();
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
