import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from './i18n';

/** The browser's barcode reader (Chromium on Android, ChromeOS and macOS), where it has one. */
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type DetectorClass = new (options: { formats: string[] }) => BarcodeDetectorLike;
const Detector = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;

/** Whether this browser can read a QR code from the camera; else people type the phone or id. */
export const canScan = (): boolean =>
  Detector !== undefined && typeof navigator.mediaDevices?.getUserMedia === 'function';

/** A rider's card holds `rider:<id>`; a scanner that types it, or the bare id, reads the same. */
export function riderIdOf(text: string): string {
  return text.trim().replace(/^rider:/, '');
}

/**
 * The back camera, read a few times a second until a QR code shows; `onRead` gets its text once
 * and the camera is let go (also when the scanner is closed).
 */
export function Scanner({
  onRead,
  onClose,
}: {
  onRead: (text: string) => void;
  onClose: () => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!Detector) return;
    const detector = new Detector({ formats: ['qr_code'] });
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setInterval> | undefined;
    let done = false;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' } })
      .then(async (s) => {
        stream = s;
        if (!video.current || done) return;
        video.current.srcObject = s;
        await video.current.play();
        timer = setInterval(() => {
          if (!video.current || done) return;
          detector
            .detect(video.current)
            .then((codes) => {
              const first = codes[0];
              if (first && !done) {
                done = true;
                onRead(first.rawValue);
              }
            })
            .catch(() => undefined);
        }, 300);
      })
      .catch(() => setFailed(true));
    return () => {
      done = true;
      clearInterval(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, []);
  return (
    <div class="card scanner">
      {failed ? (
        <p role="alert">{t('station.noCamera')}</p>
      ) : (
        <video ref={video} muted playsInline aria-label={t('station.camera')} />
      )}
      <button type="button" onClick={onClose}>
        {t('station.stopScan')}
      </button>
    </div>
  );
}
