/**
 * Parties: search resolved parties, and one party's profile: totals as importer and exporter (and as payer
 * and payee when payments are in scope), counterparties, goods by quarter, anomalies of its lines,
 * watch-list hits with their explanation and decision buttons, and the relationship graph.
 *
 * Invariants: only shown to scopes that may see named parties (the API refuses others); a decision is
 * recorded by the server with the signed-in user and kept (a later one supersedes), and the page shows the
 * history it returns rather than assuming the write happened.
 */
import { ScrollBox } from '../table/scroll-box.tsx';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import type { PartyProfile, PartySummary, WatchlistHit } from '../api/types.ts';
import { TimeSeriesChart, type Series } from '../charts/time-series-chart.tsx';
import { formatInt, formatValue } from '../format/number-format.ts';
import { CompactNumber } from '../format/compact-number.tsx';
import { useNames } from '../reference/reference-names.tsx';
import { detectorTitle } from '../anomalies/detector-names.ts';
import { MatchExplanation } from '../screening/match-explanation.tsx';
import { useSession } from '../session/session.tsx';
import { Link, useRouter, withQuery } from '../shell/router.tsx';
import { PartyGraphView } from './party-graph-view.tsx';
import { DecisionBar } from '../decisions/decision-bar.tsx';

export function PartyPage() {
  const { location } = useRouter();
  const id = decodeURIComponent(location.path.split('/')[2] ?? '');
  return id ? <PartyProfileView id={id} /> : <PartySearch />;
}

function PartySearch() {
  const { api } = useSession();
  const { location, navigate } = useRouter();
  const q = location.query.get('q') ?? '';
  const [text, setText] = useState(q);
  const [rows, setRows] = useState<PartySummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!q) return;
    const ac = new AbortController();
    setError(null);
    api.parties({ q, limit: 100 }, ac.signal).then(setRows, (e: unknown) => !ac.signal.aborted && setError(e instanceof ApiError ? e.message : 'Search failed.'));
    return () => ac.abort();
  }, [api, q]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQuery('/parties', { q: text.trim() }));
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Parties</h1>
        <span className="muted small">Importers, exporters and payers resolved across records and providers in your scope.</span>
      </div>
      <form className="toolbar" onSubmit={submit} role="search" aria-label="Search parties">
        <label className="grow">
          Name, party id or source reference
          <input value={text} onChange={(e) => setText(e.target.value)} required maxLength={200} data-testid="party-search" />
        </label>
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {rows && (
        <ScrollBox label="Parties found">
          <table className="plain" data-testid="party-results">
            <thead>
              <tr>
                <th>Party</th>
                <th>Country</th>
                <th className="num">Records</th>
                <th className="num">Lines</th>
                <th className="num">Goods value (USD)</th>
                <th className="num">Payments</th>
                <th className="num">Paid or received (USD)</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.party_id}>
                  <td>
                    <Link to={`/parties/${encodeURIComponent(p.party_id)}`}>{p.name}</Link> <span className="muted mono">{p.party_id}</span>
                  </td>
                  <td>{p.country ?? ''}</td>
                  <td className="num">{formatInt(p.members)}</td>
                  <td className="num">{formatInt(p.lines)}</td>
                  <td className="num">{formatValue(p.value_usd)}</td>
                  <td className="num">{formatInt(p.payments)}</td>
                  <td className="num">{formatValue(p.payments_usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 && <p className="muted">No party matches.</p>}
        </ScrollBox>
      )}
    </div>
  );
}

function PartyProfileView({ id }: { id: string }) {
  const { api } = useSession();
  const [p, setP] = useState<PartyProfile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    api.party(id, ac.signal).then(setP, (e: unknown) => !ac.signal.aborted && setError(e instanceof ApiError ? e.message : 'The party could not be loaded.'));
    return () => ac.abort();
  }, [api, id, version]);

  const goods = useMemo(() => {
    if (!p) return null;
    const series: Series[] = (['import', 'export'] as const)
      .map((role) => {
        const values = new Map<string, number | null>();
        for (const g of p.goods_by_period) if (g.role === role) values.set(g.period, (values.get(g.period) ?? 0) + g.value_usd);
        return { name: role === 'import' ? 'Bought (as importer)' : 'Sold (as exporter)', values };
      })
      .filter((x) => x.values.size > 0);
    const byHs = new Map<string, number>();
    for (const g of p.goods_by_period) byHs.set(`${g.role} ${g.hs2}`, (byHs.get(`${g.role} ${g.hs2}`) ?? 0) + g.value_usd);
    const topHs = [...byHs.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
    return { series, topHs };
  }, [p]);
  const chapterName = useNames('hs2', goods?.topHs.map(([k]) => k.split(' ')[1]!) ?? []);

  if (error)
    return (
      <div className="page">
        <p className="error" role="alert">
          {error}
        </p>
      </div>
    );
  if (!p) return <p className="muted pad">Loading party…</p>;
  const t = p.totals;
  // Reasons name the party by its source references (IMP000361): this page's party is shown by name.
  const refs = p.member_records.map((m) => String(m['ref'] ?? '')).filter((r) => r.length >= 3);
  const ownRefs = (text: string) => refs.reduce((acc, r) => acc.split(r).join(p.name), text);

  return (
    <div className="page">
      <div className="page-head">
        <h1>{p.name}</h1>
        <span className="muted mono">{p.party_id}</span>
        <span className="muted">
          {p.country ?? 'country unknown'} · {formatInt(p.members)} source records
        </span>
        <Link to="/parties" className="small" style={{ marginLeft: 'auto' }}>
          Search parties
        </Link>
      </div>
      <section className="headlines" aria-label="Totals">
        <Headline label="As importer (USD)" value={t.trade.as_importer['value_usd']} detail={`${formatInt(t.trade.as_importer['lines'] ?? 0)} lines · ${formatInt(t.trade.as_importer['declarations'] ?? 0)} declarations`} />
        <Headline label="As exporter (USD)" value={t.trade.as_exporter['value_usd']} detail={`${formatInt(t.trade.as_exporter['lines'] ?? 0)} lines · ${formatInt(t.trade.as_exporter['declarations'] ?? 0)} declarations`} />
        {t.payments && <Headline label="As payer (USD)" value={t.payments.as_payer['amount_usd']} detail={`${formatInt(t.payments.as_payer['payments'] ?? 0)} payments`} />}
        {t.payments && <Headline label="As payee (USD)" value={t.payments.as_payee['amount_usd']} detail={`${formatInt(t.payments.as_payee['payments'] ?? 0)} payments`} />}
      </section>
      {p.watchlist_hits && p.watchlist_hits.length > 0 && (
        <section className="panel" aria-labelledby="hits-title">
          <div className="panel-head">
            <h2 id="hits-title">Watch-list hits</h2>
          </div>
          <div className="panel-body">
            {p.watchlist_hits.map((h) => (
              <HitView key={h.hit_id} hit={h} onDecided={() => setVersion((v) => v + 1)} />
            ))}
          </div>
        </section>
      )}
      <section className="panel" aria-labelledby="graph-title">
        <div className="panel-head">
          <h2 id="graph-title">Relationships</h2>
        </div>
        <div className="panel-body">
          <PartyGraphView partyId={p.party_id} />
        </div>
      </section>
      <div className="two-col">
        <section className="panel" aria-labelledby="goods-title">
          <div className="panel-head">
            <h2 id="goods-title">Goods by quarter (value, USD)</h2>
          </div>
          <div className="panel-body">
            {goods && goods.series.length > 0 ? (
              <TimeSeriesChart series={goods.series} grain="quarter" title="Value traded by quarter, bought and sold" unit="USD" height={200} testId="party-goods-chart" />
            ) : (
              <p className="muted">No goods traded in your scope.</p>
            )}
            {goods && goods.topHs.length > 0 && (
              <table className="plain">
                <caption className="muted small" style={{ textAlign: 'left' }}>
                  Main HS chapters
                </caption>
                <tbody>
                  {goods.topHs.map(([k, v]) => (
                    <tr key={k}>
                      <td>
                        {k.startsWith('import') ? 'buys' : 'sells'} chapter {k.split(' ')[1]}
                        {chapterName(k.split(' ')[1]) && <span className="muted"> {chapterName(k.split(' ')[1])}</span>}
                      </td>
                      <td className="num">{formatValue(v)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </section>
        <section className="panel" aria-labelledby="cp-title">
          <div className="panel-head">
            <h2 id="cp-title">Counterparties</h2>
          </div>
          <ScrollBox label="Counterparties" style={{ maxHeight: 360 }}>
            <table className="plain">
              <thead>
                <tr>
                  <th>Party</th>
                  <th>Relation</th>
                  <th className="num">Lines</th>
                  <th className="num">Goods (USD)</th>
                  <th className="num">Payments (USD)</th>
                </tr>
              </thead>
              <tbody>
                {p.counterparties.map((c) => (
                  <tr key={c.party_id}>
                    <td>
                      <Link to={`/parties/${encodeURIComponent(c.party_id)}`}>{c.name ?? c.party_id}</Link>
                    </td>
                    <td className="small">{c.relations.join(', ')}</td>
                    <td className="num">{formatInt(c.lines)}</td>
                    <td className="num">{formatValue(c.value_usd)}</td>
                    <td className="num">{c.payments ? formatValue(c.payments_usd) : '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {p.counterparties.length === 0 && <p className="muted pad-x">No counterparty in your scope.</p>}
          </ScrollBox>
        </section>
      </div>
      <section className="panel" aria-labelledby="pa-title">
        <div className="panel-head">
          <h2 id="pa-title">Anomalies on its lines (latest run)</h2>
          <span className="muted small">{p.anomalies.length}</span>
        </div>
        <ScrollBox label="Anomalies on its lines" style={{ maxHeight: 320 }}>
          <table className="plain">
            <thead>
              <tr>
                <th className="num">Score</th>
                <th>Detector</th>
                <th>Line</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {p.anomalies.map((a) => (
                <tr key={a.anomaly_id}>
                  <td className="num">{a.score.toFixed(1)}</td>
                  <td>{detectorTitle(a.detector)}</td>
                  <td className="mono">
                    {a.declaration_id ?? ''}
                    {a.line_no !== null ? `/${a.line_no}` : ''}
                  </td>
                  <td>
                    <Link to={`/anomalies/${encodeURIComponent(a.anomaly_id)}`}>{ownRefs(a.reason)}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {p.anomalies.length === 0 && <p className="muted pad-x">No anomaly on its lines in the latest analysis run you can see.</p>}
        </ScrollBox>
      </section>
    </div>
  );
}

function Headline({ label, value, detail }: { label: string; value: number | undefined; detail: string }) {
  return (
    <div className="headline">
      <div className="label">{label}</div>
      <div className="value">
        <CompactNumber value={value ?? 0} unit="money" />
      </div>
      <div className="change muted">{detail}</div>
    </div>
  );
}

function HitView({ hit, onDecided }: { hit: WatchlistHit; onDecided: () => void }) {
  const [open, setOpen] = useState(true);
  return (
    <article className="hit" data-testid="watchlist-hit" aria-labelledby={`hit-${hit.hit_id}`}>
      <h3 id={`hit-${hit.hit_id}`}>
        {hit.party_name} ↔ {hit.entry_name} <span className="badge match">score {hit.score.toFixed(3)}</span>{' '}
        <span className="muted small mono">
          {hit.list} {hit.list_version} {hit.entry_id} · {hit.status}
        </span>
      </h3>
      <DecisionBar subject={{ hit: hit.hit_id }} decisions={hit.decisions} onDecided={onDecided} confirmLabel="Confirm match" />
      <button type="button" className="link-button small" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide explanation' : 'Show explanation'}
      </button>
      {open && hit.explanation && <MatchExplanation explanation={hit.explanation} score={hit.score} match />}
    </article>
  );
}
