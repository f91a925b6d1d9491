import { encode } from 'uqr';

/**
 * A QR code drawn as one SVG path (no markup injected, so the page's strict CSP holds), with a
 * label for screen readers. Encoded by uqr (a maintained, dependency-free encoder).
 */
export function QrCode({
  text,
  label,
  size = 180,
}: {
  text: string;
  label: string;
  size?: number;
}) {
  const { data } = encode(text, { border: 2 });
  const n = data.length;
  let d = '';
  data.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return (
    <svg
      class="qr"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${n} ${n}`}
      width={size}
      height={size}
      shape-rendering="crispEdges"
    >
      <rect width={n} height={n} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

/** The console's sign-in link for a token: the token in the fragment, never sent to a server. */
export function signInLink(token: string): string {
  return `${location.origin}/#token=${encodeURIComponent(token)}`;
}
