// Renders one page of a PDF with pdf.js, fitted to the panel's width. Download and rendering show
// progress; `version` reloads the file (after a signature lands). The page is either controlled
// (ceremony: the host turns pages for everyone) or turned here.
import { useEffect, useRef, useState } from 'react';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { download } from '../api/http.js';
import { ErrorAlert } from '../components/Alert.js';
import { Progress } from '../components/Progress.js';
import { useI18n } from '../i18n/i18n.js';
import { loadPdfJs } from './pdfjs.js';

export interface PdfViewerProps {
  readonly url: string;
  readonly version?: string | number;
  readonly title: string;
  /** 1-based; when given, the viewer shows this page and offers no page buttons of its own. */
  readonly page?: number;
  readonly onPageCount?: (n: number) => void;
}

export function PdfViewer({ url, version, title, page: controlledPage, onPageCount }: PdfViewerProps) {
  const { t } = useI18n();
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [ownPage, setOwnPage] = useState(1);
  const [progress, setProgress] = useState<{ label: string; fraction: number | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const page = controlledPage ?? ownPage;

  useEffect(() => {
    const ac = new AbortController();
    let loaded: PDFDocumentProxy | null = null;
    setProgress({ label: t('pdf.downloading'), fraction: null });
    setError(null);
    void (async () => {
      try {
        const [lib, blob] = await Promise.all([
          loadPdfJs(),
          download(url, (_n, f) => setProgress({ label: t('pdf.downloading'), fraction: f }), ac.signal),
        ]);
        const data = new Uint8Array(await blob.arrayBuffer());
        loaded = await lib.getDocument({ data }).promise;
        if (ac.signal.aborted) return void loaded.destroy();
        setDoc(loaded);
        onPageCount?.(loaded.numPages);
      } catch (err) {
        if (!ac.signal.aborted) {
          setError(err);
          setProgress(null);
        }
      }
    })();
    return () => {
      ac.abort();
      void loaded?.destroy();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [url, version]);

  useEffect(() => {
    if (!doc || !canvas.current || !box.current) return;
    let cancelled = false;
    let task: { cancel(): void; promise: Promise<void> } | null = null;
    setProgress({ label: t('pdf.rendering'), fraction: null });
    void (async () => {
      try {
        const p = await doc.getPage(Math.min(Math.max(1, page), doc.numPages));
        if (cancelled) return;
        const base = p.getViewport({ scale: 1 });
        const width = Math.max(280, box.current!.clientWidth);
        const ratio = window.devicePixelRatio || 1;
        const viewport = p.getViewport({ scale: (width / base.width) * ratio });
        const c = canvas.current!;
        c.width = Math.floor(viewport.width);
        c.height = Math.floor(viewport.height);
        c.style.width = `${width}px`;
        c.style.height = `${Math.floor(viewport.height / ratio)}px`;
        task = p.render({ canvas: c, viewport });
        await task.promise;
        if (!cancelled) setProgress(null);
      } catch (err) {
        if (!cancelled && (err as Error).name !== 'RenderingCancelledException') setError(err);
      }
    })();
    return () => {
      cancelled = true;
      task?.cancel();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc, page]);

  const count = doc?.numPages ?? 0;
  return (
    <div
      className="pdf-viewer"
      ref={box}
      data-testid="pdf-viewer"
      data-page={page}
      data-pages={count}
      data-rendered={progress ? 'no' : 'yes'}
    >
      {progress && <Progress label={progress.label} fraction={progress.fraction} />}
      <ErrorAlert error={error} />
      <canvas ref={canvas} role="img" aria-label={t('pdf.pageOf', { title, page, count })} />
      {count > 0 && (
        <div className="pdf-nav">
          {controlledPage === undefined && (
            <button type="button" disabled={page <= 1} onClick={() => setOwnPage((p) => p - 1)}>
              {t('pdf.prev')}
            </button>
          )}
          <span data-testid="pdf-page-label">{t('pdf.page', { page, count })}</span>
          {controlledPage === undefined && (
            <button type="button" disabled={page >= count} onClick={() => setOwnPage((p) => p + 1)}>
              {t('pdf.next')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
