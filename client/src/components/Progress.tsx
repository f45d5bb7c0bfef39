// A labelled progress bar; an unknown fraction shows a moving stripe instead of a number.
export function Progress({ label, fraction, testId }: { label: string; fraction: number | null; testId?: string }) {
  const percent = fraction === null ? undefined : Math.round(fraction * 100);
  return (
    <div className="progress" data-testid={testId}>
      <div className="progress-label">
        <span>{label}</span>
        {percent !== undefined && <span>{percent}%</span>}
      </div>
      <div
        className={`progress-track${percent === undefined ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className="progress-fill" style={{ width: percent === undefined ? undefined : `${percent}%` }} />
      </div>
    </div>
  );
}
