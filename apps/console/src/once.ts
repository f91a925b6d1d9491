import { useRef, useState } from 'preact/hooks';
import { newKey, Problem } from './api';

/**
 * A write that runs once however often its button is pressed: a synchronous guard (a double tap
 * fires twice before the page re-renders with the button disabled), and one Idempotency-Key per
 * attempt, kept in `key` while the attempt may still be unfinished (no answer, a server error, a
 * 429, the key still in use): a retry then is the same attempt. A success or a refusal ends the
 * attempt (the API stores a refusal under its key and would repeat it; the next press, after the
 * person fixed what was refused, is a new attempt). The caller clears `key` when what the write
 * would send changes. `work` also gets the time the attempt began, the same on every retry: a
 * body that says when something happened must not change under its key (the API refuses a key
 * reused with another body).
 */
export function useOnce() {
  const inFlight = useRef(false);
  const began = useRef(new Map<string, string>());
  const [busy, setBusy] = useState(false);
  const run = async (
    work: (key: string, at: string) => Promise<void>,
    key: { current: string | null },
  ) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    try {
      const k = (key.current ??= newKey());
      const at = began.current.get(k) ?? new Date().toISOString();
      began.current.set(k, at);
      const end = () => {
        if (key.current === k) key.current = null;
        began.current.delete(k);
      };
      try {
        await work(k, at);
      } catch (error) {
        if (!mayBeUnfinished(error)) end();
        throw error;
      }
      end();
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  return { busy, run };
}

/** Whether a failed write may have been done, or may still be running: retry it with its key. */
function mayBeUnfinished(error: unknown): boolean {
  if (!(error instanceof Problem)) return true; // no answer (a dropped connection)
  return error.status >= 500 || error.status === 429 || error.code === 'IDEMPOTENCY_KEY_IN_USE';
}

/**
 * `useOnce` for a page's write: the page's error cleared as it starts and shown when it fails;
 * the failure goes no further.
 */
export function useWrite(setError: (error: unknown) => void) {
  const once = useOnce();
  const write = (
    work: (key: string, at: string) => Promise<void>,
    key: { current: string | null },
  ) =>
    once
      .run(async (k, at) => {
        setError(null);
        try {
          await work(k, at);
        } catch (e) {
          setError(e);
          throw e;
        }
      }, key)
      .catch(() => undefined);
  return { busy: once.busy, write };
}

/**
 * A form's fields kept in one state object: each input's id, value and handler; an edit clears
 * the attempt's key (what the write would do has changed).
 */
export function useFields<F extends Record<string, string>>(
  prefix: string,
  initial: F,
  key: { current: string | null },
) {
  const [form, setForm] = useState(initial);
  const field = (name: keyof F & string) => {
    const onInput = (e: Event) => {
      key.current = null;
      const value = (e.target as HTMLInputElement).value;
      setForm((f) => ({ ...f, [name]: value }));
    };
    return { id: `${prefix}-${name}`, value: form[name], onInput, onChange: onInput };
  };
  return { form, setForm, field };
}
