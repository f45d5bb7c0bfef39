// The last line against a blank page: a render error shows a plain message and a way back.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { translate, type Lang } from '../i18n/i18n.js';

interface Props {
  readonly lang: Lang;
  readonly children: ReactNode;
}

export class ErrorBoundary extends Component<Props, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('page failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    const t = (k: 'boundary.title' | 'boundary.body' | 'boundary.reload') => translate(this.props.lang, k);
    return (
      <main className="page narrow">
        <section className="card" role="alert">
          <h1>{t('boundary.title')}</h1>
          <p>{t('boundary.body')}</p>
          <button type="button" className="primary" onClick={() => window.location.reload()}>
            {t('boundary.reload')}
          </button>
        </section>
      </main>
    );
  }
}
