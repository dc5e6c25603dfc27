/**
 * The application: session gate, shell and routes. Pages appear only when the user holds the permission
 * their API needs (session.tsx); a route the user may not open says so instead of failing on a 403.
 */
import { lazy, Suspense, type ReactNode } from 'react';
import { RouterProvider, useRouter } from './shell/router.tsx';
import { SessionProvider, useSession } from './session/session.tsx';
import { SignInPage } from './session/sign-in-page.tsx';
import { AccountRequestPage } from './session/account-request-page.tsx';
import { Shell, visiblePages } from './shell/shell.tsx';
import { ReferenceNamesProvider } from './reference/reference-names.tsx';

const ExplorePage = lazy(() => import('./explore/explore-page.tsx').then((m) => ({ default: m.ExplorePage })));
const AnomaliesPage = lazy(() => import('./anomalies/anomalies-page.tsx').then((m) => ({ default: m.AnomaliesPage })));
const ScreeningPage = lazy(() => import('./screening/screening-page.tsx').then((m) => ({ default: m.ScreeningPage })));
const DashboardPage = lazy(() => import('./dashboards/dashboard-page.tsx').then((m) => ({ default: m.DashboardPage })));
const AdminPage = lazy(() => import('./admin/admin-page.tsx').then((m) => ({ default: m.AdminPage })));
const PartyPage = lazy(() => import('./parties/party-page.tsx').then((m) => ({ default: m.PartyPage })));
const ReportsPage = lazy(() => import('./reports/reports-page.tsx').then((m) => ({ default: m.ReportsPage })));
const ApprovalsPage = lazy(() => import('./admin/approvals-page.tsx').then((m) => ({ default: m.ApprovalsPage })));
const AuditPage = lazy(() => import('./audit/audit-page.tsx').then((m) => ({ default: m.AuditPage })));
const PrivacyPage = lazy(() => import('./privacy/privacy-page.tsx').then((m) => ({ default: m.PrivacyPage })));

export function App() {
  return (
    <RouterProvider>
      <SessionProvider>
        <Gate />
      </SessionProvider>
    </RouterProvider>
  );
}

function Gate() {
  const { state } = useSession();
  const { location } = useRouter();
  if (state.status === 'loading') return <p className="loading-page">Loading…</p>;
  if (state.status === 'signed-out') {
    if (location.path === '/request-account') return <AccountRequestPage />;
    return <SignInPage notice={state.reason} />;
  }
  return (
    <ReferenceNamesProvider>
      <Shell>
        <Suspense fallback={<p className="muted pad">Loading page…</p>}>
          <Routes />
        </Suspense>
      </Shell>
    </ReferenceNamesProvider>
  );
}

const PAGES: Record<string, () => ReactNode> = {
  explore: () => <ExplorePage />,
  anomalies: () => <AnomaliesPage />,
  screening: () => <ScreeningPage />,
  parties: () => <PartyPage />,
  dashboards: () => <DashboardPage />,
  reports: () => <ReportsPage />,
  approvals: () => <ApprovalsPage />,
  admin: () => <AdminPage />,
  audit: () => <AuditPage />,
  privacy: () => <PrivacyPage />,
};

function Routes() {
  const session = useSession();
  const { location } = useRouter();
  const pages = visiblePages(session);
  const first = location.path.split('/')[1] ?? '';
  const key = first === '' ? pages[0]?.id : first;
  const page = pages.find((p) => p.id === key);
  if (!page) {
    const exists = key !== undefined && key in PAGES;
    return (
      <div className="pad">
        <h1>{exists ? 'Not available to you' : 'Page not found'}</h1>
        <p>{exists ? 'Your role or scope does not include this page. Ask an administrator if you need it.' : 'Choose a page from the menu.'}</p>
      </div>
    );
  }
  return <>{PAGES[page.id]!()}</>;
}
