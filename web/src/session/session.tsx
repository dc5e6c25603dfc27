/**
 * Who is using the app and what they may see.
 *
 * Invariants:
 * - The session comes only from the server (GET /api/me, POST /api/session); the app never widens it.
 *   Hiding a page or a dataset here is convenience: the API refuses what the scope does not allow anyway.
 * - A server without sign-in (GET /api/me answers 404) runs every request as its local operator: the app
 *   then shows everything and says so in the header, instead of asking for a password nobody has.
 * - Any 401 (from any call) returns to the sign-in page; the CSRF token of the session is handed to the
 *   API client, which adds it to writes.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, createApiClient, type ApiClient } from '../api/client.ts';
import type { Session } from '../api/types.ts';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: string }
  | { status: 'local' }
  | { status: 'signed-in'; session: Session };

export interface SessionValue {
  state: SessionState;
  api: ApiClient;
  /** True when the signed-in user (or the local operator) holds the permission. */
  can(permission: string): boolean;
  /** The category is in scope; `level` narrows to row-level grants. */
  hasCategory(category: string, level?: 'row'): boolean;
  signIn(b: { name: string; password: string; purpose?: string }): Promise<Session>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const onUnauthorized = useRef<() => void>(() => undefined);
  const api = useMemo(() => createApiClient({ onUnauthorized: () => onUnauthorized.current() }), []);
  onUnauthorized.current = () => {
    api.setCsrfToken(null);
    setState({ status: 'signed-out', reason: 'Your session has ended. Sign in again.' });
  };

  useEffect(() => {
    let live = true;
    api
      .me()
      .then((s) => {
        if (!live) return;
        api.setCsrfToken(s.csrfToken);
        setState({ status: 'signed-in', session: s });
      })
      .catch((e: unknown) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 404) setState({ status: 'local' });
        else setState({ status: 'signed-out' });
      });
    return () => {
      live = false;
    };
  }, [api]);

  const signIn = useCallback(
    async (b: { name: string; password: string; purpose?: string }) => {
      const s = await api.signIn(b);
      api.setCsrfToken(s.csrfToken);
      if (!s.requiresPurpose || b.purpose) setState({ status: 'signed-in', session: s });
      return s;
    },
    [api],
  );

  const signOut = useCallback(async () => {
    try {
      await api.signOut();
    } finally {
      api.setCsrfToken(null);
      setState({ status: 'signed-out' });
    }
  }, [api]);

  const value = useMemo<SessionValue>(() => {
    const perms = state.status === 'signed-in' ? new Set(state.session.permissions) : null;
    return {
      state,
      api,
      can: (p) => state.status === 'local' || (perms?.has(p) ?? false),
      hasCategory: (category, level) => {
        if (state.status === 'local') return true;
        if (state.status !== 'signed-in') return false;
        return state.session.scope.grants.some((g) => g.category === category && (!level || g.level === level));
      },
      signIn,
      signOut,
    };
  }, [state, api, signIn, signOut]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

export function useApi(): ApiClient {
  return useSession().api;
}
