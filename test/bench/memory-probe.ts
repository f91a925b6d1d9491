/**
 * Preloaded into the soak's API and worker (`NODE_OPTIONS=--expose-gc --require …`): every
 * `SOAK_MEMORY_EVERY_MS` it runs a full garbage collection and appends the live heap (what is
 * still reachable, the measure a leak moves) and the resident memory to `SOAK_MEMORY_FILE`.
 * Resident memory alone follows V8's heap sizing, which grows and shrinks on its own.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.SOAK_MEMORY_FILE;
const every = Number(process.env.SOAK_MEMORY_EVERY_MS ?? 5000);
const gc = (globalThis as { gc?: () => void }).gc;

if (file && gc) {
  setInterval(() => {
    gc();
    const m = process.memoryUsage();
    appendFileSync(
      file,
      `${JSON.stringify({
        at: Date.now(),
        liveHeapMb: mb(m.heapUsed),
        heapTotalMb: mb(m.heapTotal),
        externalMb: mb(m.external),
        arrayBuffersMb: mb(m.arrayBuffers),
        rssMb: mb(m.rss),
      })}\n`,
    );
  }, every).unref();
}

function mb(bytes: number): number {
  return Math.round(bytes / 1e5) / 10;
}
