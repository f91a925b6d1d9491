import { useRef, useState } from 'preact/hooks';
import { newKey } from './api';

/**
 * A write that runs once however often its button is pressed: a synchronous guard (a double tap
 * fires twice before the page re-renders with the button disabled), and one Idempotency-Key per
 * attempt, kept in `key` until the write succeeds (a retry after a failure is the same attempt;
 * the caller clears `key` when what the write would do changes).
 */
export function useOnce() {
  const inFlight = useRef(false);
  const [busy, setBusy] = useState(false);
  const run = async (work: (key: string) => Promise<void>, key: { current: string | null }) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    try {
      await work((key.current ??= newKey()));
      key.current = null;
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  return { busy, run };
}
