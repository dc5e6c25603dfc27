/**
 * Privacy: what the system holds and how it is used (access.md, privacy by design). Three views, each a
 * link (?view=…) and each shown only with the permission its API needs: the data register, the aggregate
 * transparency report, and retention (periods, legal holds, purges; changes for retention:manage only).
 */
import { useSession } from '../session/session.tsx';
import { useRouter } from '../shell/router.tsx';
import { DataRegisterView } from './data-register-view.tsx';
import { TransparencyView } from './transparency-view.tsx';
import { RetentionView } from './retention-view.tsx';

const VIEWS = [
  { id: 'register', label: 'Data register', permission: 'privacy:register' },
  { id: 'transparency', label: 'Transparency report', permission: 'privacy:transparency' },
  { id: 'retention', label: 'Retention and holds', permission: 'retention:read' },
] as const;

export function PrivacyPage() {
  const { can } = useSession();
  const { location, navigate } = useRouter();
  const views = VIEWS.filter((v) => can(v.permission));
  const asked = location.query.get('view');
  const view = views.find((v) => v.id === asked) ?? views[0];
  return (
    <div className="page">
      <div className="page-head">
        <h1>Privacy</h1>
        <span className="muted small">What the system holds, who can see it, how it is used and how long it is kept. Every view is audited.</span>
      </div>
      {views.length > 1 && (
        <div className="tabs" role="group" aria-label="Privacy view">
          {views.map((v) => (
            <button key={v.id} type="button" aria-pressed={view?.id === v.id} onClick={() => navigate(`/privacy?view=${v.id}`)}>
              {v.label}
            </button>
          ))}
        </div>
      )}
      {view?.id === 'register' && <DataRegisterView />}
      {view?.id === 'transparency' && <TransparencyView />}
      {view?.id === 'retention' && <RetentionView canManage={can('retention:manage')} />}
    </div>
  );
}
