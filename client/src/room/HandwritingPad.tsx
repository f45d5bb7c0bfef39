// The applicant's handwritten signature: pointer strokes on a canvas, exported as a PNG data URL.
import { forwardRef, useImperativeHandle, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n.js';

export interface HandwritingPadHandle {
  /** PNG data URL of the drawing, or null when nothing was drawn. */
  toDataUrl(): string | null;
}

export const HandwritingPad = forwardRef<HandwritingPadHandle, { onChange?: (drawn: boolean) => void }>(
  function HandwritingPad({ onChange }, ref) {
    const { t } = useI18n();
    const canvas = useRef<HTMLCanvasElement>(null);
    const last = useRef<{ x: number; y: number } | null>(null);
    const [drawn, setDrawn] = useState(false);

    useImperativeHandle(
      ref,
      () => ({ toDataUrl: () => (drawn && canvas.current ? canvas.current.toDataURL('image/png') : null) }),
      [drawn],
    );

    const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
      const c = canvas.current!;
      const r = c.getBoundingClientRect();
      return { x: ((e.clientX - r.left) * c.width) / r.width, y: ((e.clientY - r.top) * c.height) / r.height };
    };
    const down = (e: React.PointerEvent<HTMLCanvasElement>) => {
      e.currentTarget.setPointerCapture(e.pointerId);
      last.current = point(e);
    };
    const move = (e: React.PointerEvent<HTMLCanvasElement>) => {
      if (!last.current) return;
      const ctx = canvas.current!.getContext('2d')!;
      const p = point(e);
      ctx.strokeStyle = '#10243e';
      ctx.lineWidth = 4;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.beginPath();
      ctx.moveTo(last.current.x, last.current.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last.current = p;
      if (!drawn) {
        setDrawn(true);
        onChange?.(true);
      }
    };
    const up = () => {
      last.current = null;
    };
    const clear = () => {
      const c = canvas.current!;
      c.getContext('2d')!.clearRect(0, 0, c.width, c.height);
      setDrawn(false);
      onChange?.(false);
    };
    return (
      <div className="handwriting">
        <canvas
          ref={canvas}
          data-testid="handwriting-pad"
          width={600}
          height={200}
          role="img"
          aria-label={t('sign.padLabel')}
          onPointerDown={down}
          onPointerMove={move}
          onPointerUp={up}
          onPointerCancel={up}
        />
        <div className="handwriting-foot">
          <small className="muted">{t('sign.padHint')}</small>
          <button type="button" className="ghost" onClick={clear} disabled={!drawn}>
            {t('sign.padClear')}
          </button>
        </div>
      </div>
    );
  },
);
