import { useRef, useState } from 'preact/hooks';
import { newKey } from './api';

/**
 * A write that runs once however often its button is pressed: a synchronous guard (a double tap
 * fires twice before the page re-renders with the button disabled), and one Idempotency-Key per
 * attempt, kept in `key` until the write succeeds (a retry after a failure is the same attempt;
 * the caller clears `key` when what the write would do changes). `work` also gets the time the
 * attempt began, the same on every retry: a body that says when something happened must not
 * change under its key (the API refuses a key reused with another body).
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
      await work(k, at);
      key.current = null;
      began.current.delete(k);
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  return { busy, run };
}

/**
 * `useOnce` for a page's write: the page's error cleared as it starts and shown when it fails. A
 * failure keeps the attempt's key (a retry is the same attempt) and goes no further.
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
