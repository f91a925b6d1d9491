const KEY = 'ledger.token';

/**
 * The token of this browser session. A sign-in link carries it in the URL fragment
 * (`/#token=…`), which browsers never send to a server: it is kept and the fragment cleared.
 */
export function tokenFromLink(): void {
  const match = /^#token=([A-Za-z0-9_\-.~%]+)/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(KEY, decodeURIComponent(match[1]));
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
}

export function token(): string | null {
  return sessionStorage.getItem(KEY);
}

export function signIn(value: string): void {
  sessionStorage.setItem(KEY, value.trim());
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}
