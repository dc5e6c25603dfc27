/**
 * The frame around every page: navigation (pages the user may open only), who is signed in with their
 * role and scope, the purpose stated at sign-in (when the deployment asks for one), sign-out. Under 1100 px the navigation collapses behind a menu button so tablet widths
 * keep the full width for tables.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { SessionValue } from '../session/session.tsx';
import { useSession } from '../session/session.tsx';
import { Link, useRouter } from './router.tsx';

export interface PageEntry {
  id: string;
  label: string;
}

/** Pages in menu order, each available only with the permission its API needs. */
export function visiblePages(s: SessionValue): PageEntry[] {
  const pages: (PageEntry & { show: boolean })[] = [
    { id: 'dashboards', label: 'Dashboards', show: s.can('data:explore') },
    { id: 'explore', label: 'Explore', show: s.can('data:explore') },
    { id: 'anomalies', label: 'Anomalies', show: s.can('anomalies:read') && s.hasCategory('trade', 'row') },
    { id: 'screening', label: 'Screening', show: s.can('screening:search') },
    // Named parties need row-level trade data; aggregate scopes never see a party.
    { id: 'parties', label: 'Parties', show: s.can('parties:read') && s.hasCategory('trade', 'row') },
    { id: 'reports', label: 'Reports', show: s.can('reports:read') },
    { id: 'admin', label: 'Administration', show: s.can('accounts:read') },
    // Every signed-in user may be named a supervisor; the page lists only requests naming them (the menu
    // shows it only while some wait, see Shell).
    { id: 'approvals', label: 'Approvals', show: s.can('accounts:approve') },
    { id: 'audit', label: 'Audit', show: s.can('audit:read-all') || s.can('audit:verify') || s.can('audit:read-own') },
    { id: 'privacy', label: 'Privacy', show: s.can('privacy:register') || s.can('privacy:transparency') || s.can('retention:read') },
  ];
  return pages.filter((p) => p.show).map(({ id, label }) => ({ id, label }));
}

function scopeSummary(s: SessionValue): string {
  const st = s.state;
  if (st.status === 'local') return 'all data (local operator)';
  if (st.status !== 'signed-in') return '';
  const g = st.session.scope.grants;
  if (!g.length) return 'no data';
  return g.map((x) => `${x.category} ${x.level === 'row' ? 'lines' : 'totals only'}${x.providers === '*' ? '' : ` of ${x.providers.join(', ')}`}`).join('; ');
}

export function Shell({ children }: { children: ReactNode }) {
  const session = useSession();
  const { location } = useRouter();
  const [open, setOpen] = useState(false);
  const active = location.path.split('/')[1] || visiblePages(session)[0]?.id;
  // Approvals is in the menu only while requests wait for this user (or while on it): most people are never
  // named a supervisor, and an always-empty page is noise. The page stays reachable by its address.
  const [waiting, setWaiting] = useState<number | null>(null);
  const onApprovals = active === 'approvals';
  const { api, can } = session;
  useEffect(() => {
    if (!can('accounts:approve') || session.state.status !== 'signed-in') return;
    let live = true;
    api.approvals().then(
      (a) => live && setWaiting(a.length),
      () => live && setWaiting(0),
    );
    return () => {
      live = false;
    };
    // Re-read when leaving the approvals page (a decision there changes the count).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, can, onApprovals]);
  const pages = visiblePages(session).filter((p) => p.id !== 'approvals' || onApprovals || (waiting ?? 0) > 0);
  useEffect(() => {
    setOpen(false);
  }, [location.path]);
  const st = session.state;
  const who = st.status === 'signed-in' ? st.session.user : null;
  const purpose = st.status === 'signed-in' ? st.session.purpose : null;

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button type="button" className="menu-toggle" aria-expanded={open} aria-controls="primary-nav" onClick={() => setOpen(!open)}>
          Menu
        </button>
        <span className="brand">Parallax</span>
        <div className="who" aria-label="Signed-in user">
          {who ? (
            <>
              <span className="who-name">{who.displayName || who.name}</span>
              <span className="role-badge" title="Role">
                {who.role}
              </span>
            </>
          ) : (
            <span className="role-badge" title="This server has no sign-in: every request runs as its local operator">
              local operator
            </span>
          )}
          <span className="scope" title={`Your scope: ${scopeSummary(session)}`}>
            Scope: {scopeSummary(session)}
          </span>
          {purpose && (
            <span className="purpose" title="Purpose of this session, recorded on every audit event" data-testid="session-purpose">
              Purpose: {purpose}
            </span>
          )}
          {who && (
            <button type="button" className="link-button" onClick={() => void session.signOut()}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <nav id="primary-nav" className={open ? 'sidenav open' : 'sidenav'} aria-label="Pages">
        <ul>
          {pages.map((p) => (
            <li key={p.id}>
              <Link to={`/${p.id}`} aria-current={p.id === active ? 'page' : undefined}>
                {p.label}
                {p.id === 'approvals' && (waiting ?? 0) > 0 && (
                  <>
                    <span className="count-badge" aria-hidden="true">
                      {waiting}
                    </span>
                    <span className="sr-only"> ({waiting} waiting)</span>
                  </>
                )}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
