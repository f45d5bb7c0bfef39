// Routes (DESIGN §11 browser URLs). Signed-out users on a staff page go to the login form; an
// error boundary keeps any page failure from leaving a blank screen.
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { Loading } from './components/Alert.js';
import { AppShell } from './components/AppShell.js';
import { ErrorBoundary } from './components/ErrorBoundary.js';
import { useI18n } from './i18n/i18n.js';
import { JoinPage } from './pages/JoinPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { matchRoute, navigate, usePath } from './router.js';
import { homeOf, SessionProvider, useSession } from './session.js';

// Pages load on first visit: the video pages carry mediasoup-client, the audit pages pdf.js.
const RoomPage = lazy(() => import('./pages/RoomPage.js').then((m) => ({ default: m.RoomPage })));
const DeskPage = lazy(() => import('./pages/DeskPage.js').then((m) => ({ default: m.DeskPage })));
const CeremonyHome = lazy(() => import('./pages/CeremonyPage.js').then((m) => ({ default: m.CeremonyHome })));
const CeremonyPage = lazy(() => import('./pages/CeremonyPage.js').then((m) => ({ default: m.CeremonyPage })));
const AuditPage = lazy(() => import('./pages/AuditPage.js').then((m) => ({ default: m.AuditPage })));
const RecordPage = lazy(() => import('./pages/RecordPage.js').then((m) => ({ default: m.RecordPage })));
const AdminPage = lazy(() => import('./pages/AdminPage.js').then((m) => ({ default: m.AdminPage })));
const RetentionPage = lazy(() => import('./pages/RetentionPage.js').then((m) => ({ default: m.RetentionPage })));
const RatePage = lazy(() => import('./pages/RatePage.js').then((m) => ({ default: m.RatePage })));
const StatsPage = lazy(() => import('./pages/StatsPage.js').then((m) => ({ default: m.StatsPage })));
const AccountPage = lazy(() => import('./pages/AccountPage.js').then((m) => ({ default: m.AccountPage })));
const VerifyPage = lazy(() => import('./pages/VerifyPage.js').then((m) => ({ default: m.VerifyPage })));
const ForcedPasswordPage = lazy(() =>
  import('./pages/AccountPage.js').then((m) => ({ default: m.ForcedPasswordPage })),
);

export function App() {
  const { lang } = useI18n();
  const path = usePath();
  return (
    <ErrorBoundary key={path} lang={lang}>
      <SessionProvider>
        <Suspense fallback={<Loading />}>
          <Routes path={path} />
        </Suspense>
      </SessionProvider>
    </ErrorBoundary>
  );
}

function Routes({ path }: { path: string }) {
  const { t } = useI18n();
  const { me, ready } = useSession();
  // The room and the join page work without a staff login (applicants, and the bare media server).
  const room = matchRoute('/room/:sessionId', path);
  if (room) return <RoomPage key={room.sessionId} sessionId={room.sessionId!} />;
  const join = matchRoute('/join/:code', path);
  if (join) return <JoinPage code={join.code!} />;
  // Public verification: anyone, with or without a login (the QR on documents opens /v/<hash>).
  if (path === '/verify') return <VerifyPage />;
  const verify = matchRoute('/v/:ref', path);
  if (verify) return <VerifyPage key={verify.ref} hashRef={verify.ref!} />;
  const rate = matchRoute('/rate/:caseId', path);
  if (rate) return <RatePage key={rate.caseId} caseId={rate.caseId!} />;

  if (!ready)
    return (
      <AppShell>
        <Loading />
      </AppShell>
    );
  if (!me || me.kind !== 'user') return <LoginPage />;
  // A password an admin set: nothing else until the owner has chosen their own (the server refuses the rest).
  if (me.mustChangePassword) return <ForcedPasswordPage />;
  if (path === '/' || path === '/login') return <Redirect to={homeOf(me)} />;
  const page = staffPage(path);
  return (
    page ?? (
      <AppShell>
        <section className="card">
          <h1>{t('notFound.title')}</h1>
          <p>
            <a href={homeOf(me)}>{t('notFound.home')}</a>
          </p>
        </section>
      </AppShell>
    )
  );
}

function staffPage(path: string): ReactNode | null {
  if (path === '/desk') return <DeskPage />;
  if (path === '/ceremony') return <CeremonyHome />;
  const ceremony = matchRoute('/ceremony/:id', path);
  if (ceremony) return <CeremonyPage key={ceremony.id} id={ceremony.id!} />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/retention') return <RetentionPage />;
  const record = matchRoute('/audit/records/:id', path);
  if (record) return <RecordPage key={record.id} id={record.id!} />;
  if (path === '/admin') return <AdminPage />;
  if (path === '/account') return <AccountPage />;
  if (path === '/stats') return <StatsPage />;
  return null;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
