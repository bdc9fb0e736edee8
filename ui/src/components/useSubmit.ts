import { useCallback, useState } from "react";
import { describeError, toApiError } from "../ipc";

/**
 * A dialog's submit: `submit(action)` runs `action` with `busy` set and the last error
 * cleared; a failure becomes `error`, readable.
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(describeError(toApiError(e)));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, submit };
}
