/**
 * The relationship graph of a party, drawn with Cytoscape.js: trade edges (goods, exporter to importer)
 * and payment edges in scope. Selecting a party expands its own neighbourhood into the drawing; hubs come
 * capped by the server ("+N more" nodes), and selecting a "+N more" node asks for that hub with a larger cap.
 *
 * Invariants: the drawing only ever shows what the server returned for the caller's scope; the Cytoscape
 * instance is created once per mounted view and destroyed with it (no module-level state). A text list of
 * the same neighbours sits beside the canvas, so the graph's content is reachable by keyboard and screen
 * reader.
 */
import { useEffect, useRef, useState } from 'react';
import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import { ApiError } from '../api/client.ts';
import type { GraphEdge, GraphNode, PartyGraph } from '../api/types.ts';
import { formatCompact } from '../format/number-format.ts';
import { useApi } from '../session/session.tsx';
import { Link } from '../shell/router.tsx';
import { preemptCytoscapeStylesheet } from './cytoscape-csp.ts';

const CAP = 15;

function elementsOf(g: PartyGraph): ElementDefinition[] {
  const nodes: ElementDefinition[] = g.nodes.map((n: GraphNode) => ({
    group: 'nodes',
    data: { id: n.id, label: n.kind === 'more' ? (n.name ?? `+${n.count ?? ''} more`) : (n.name ?? n.id), kind: n.kind, center: n.id === g.center ? 1 : 0 },
  }));
  const edges: ElementDefinition[] = g.edges.map((e: GraphEdge) => ({
    group: 'edges',
    data: { id: `${e.source}->${e.target}`, source: e.source, target: e.target, kind: e.kinds.includes('payment') ? (e.kinds.includes('trade') ? 'both' : 'payment') : e.kinds[0] ?? 'trade', value: e.value },
  }));
  return [...nodes, ...edges];
}

export function PartyGraphView({ partyId }: { partyId: string }) {
  const api = useApi();
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<string[]>([]);
  const [selected, setSelected] = useState<{ id: string; label: string; kind: string } | null>(null);
  const [counts, setCounts] = useState({ nodes: 0, edges: 0 });

  useEffect(() => {
    if (!box.current) return;
    preemptCytoscapeStylesheet(document);
    const c = cytoscape({
      container: box.current,
      elements: [],
      minZoom: 0.2,
      maxZoom: 3,
      style: [
        { selector: 'node', style: { label: 'data(label)', 'font-size': 11, 'text-wrap': 'ellipsis', 'text-max-width': '110px', 'text-valign': 'bottom', 'text-margin-y': 3, color: '#111827', width: 14, height: 14, 'background-color': '#1d4ed8' } },
        { selector: 'node[center = 1]', style: { width: 22, height: 22, 'background-color': '#b91c1c', 'font-weight': 'bold' } },
        { selector: 'node[kind = "more"]', style: { shape: 'round-rectangle', 'background-color': '#9ca3af', width: 30, height: 12 } },
        { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#f59e0b' } },
        { selector: 'edge', style: { width: 1.2, 'line-color': '#93c5fd', 'target-arrow-color': '#93c5fd', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.7, 'curve-style': 'bezier' } },
        { selector: 'edge[kind = "payment"]', style: { 'line-color': '#047857', 'target-arrow-color': '#047857', 'line-style': 'dashed' } },
        { selector: 'edge[kind = "both"]', style: { 'line-color': '#7c3aed', 'target-arrow-color': '#7c3aed' } },
        { selector: 'edge[kind = "more"]', style: { 'line-color': '#d1d5db', 'target-arrow-shape': 'none' } },
      ],
    });
    c.on('tap', 'node', (evt) => {
      const n = evt.target;
      setSelected({ id: n.id(), label: String(n.data('label')), kind: String(n.data('kind')) });
    });
    cy.current = c;
    return () => {
      c.destroy();
      cy.current = null;
    };
  }, []);

  const merge = (g: PartyGraph) => {
    const c = cy.current;
    if (!c) return;
    const fresh = elementsOf(g).filter((el) => c.getElementById(String(el.data.id)).empty());
    // Edges whose ends are not both drawn are left out (a "more" node of another expansion).
    c.add(fresh.filter((el) => el.group === 'nodes'));
    c.add(fresh.filter((el) => el.group === 'edges' && !c.getElementById(String(el.data.source)).empty() && !c.getElementById(String(el.data.target)).empty()));
    c.layout({ name: 'cose', animate: false, nodeDimensionsIncludeLabels: true, randomize: false, padding: 20 } as cytoscape.LayoutOptions).run();
    setCounts({ nodes: c.nodes().length, edges: c.edges().length });
  };

  const expand = async (id: string, cap = CAP) => {
    setError(null);
    try {
      const g = await api.partyGraph(id, { depth: 1, cap });
      merge(g);
      setExpanded((x) => (x.includes(id) ? x : [...x, id]));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The graph could not be loaded.');
    }
  };

  useEffect(() => {
    cy.current?.elements().remove();
    setExpanded([]);
    setSelected(null);
    void expand(partyId);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [partyId]);

  const hubOfMore = (moreId: string) => cy.current?.getElementById(moreId).incomers('node').first().id();

  return (
    <div className="graph-layout">
      <div ref={box} className="graph-canvas" data-testid="party-graph" data-nodes={counts.nodes} data-edges={counts.edges} role="img" aria-label={`Relationship graph: ${counts.nodes} parties and ${counts.edges} relations drawn`} />
      <div className="graph-side">
        <p className="muted small">
          {counts.nodes} nodes, {counts.edges} edges. Blue: goods; green dashed: payments; purple: both. Select a node, then expand it.
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {selected ? (
          <div data-testid="graph-selection">
            <strong>{selected.label}</strong>
            <div className="chips" style={{ marginTop: 4 }}>
              {selected.kind === 'more' ? (
                <button type="button" onClick={() => { const hub = hubOfMore(selected.id); if (hub) void expand(hub, 200); }}>
                  Show all neighbours of this hub
                </button>
              ) : (
                <>
                  <button type="button" disabled={expanded.includes(selected.id)} onClick={() => void expand(selected.id)}>
                    {expanded.includes(selected.id) ? 'Expanded' : 'Expand'}
                  </button>
                  {selected.id !== partyId && <Link to={`/parties/${encodeURIComponent(selected.id)}`}>Open party</Link>}
                </>
              )}
            </div>
          </div>
        ) : (
          <p className="muted small">No node selected.</p>
        )}
        <h3>Expanded</h3>
        <ul className="small">
          {expanded.map((id) => (
            <li key={id}>
              <button type="button" className="link-button" onClick={() => cy.current?.getElementById(id).select()}>
                {String(cy.current?.getElementById(id).data('label') ?? id)}
              </button>
            </li>
          ))}
        </ul>
        <h3>Neighbours</h3>
        <NeighbourList cy={cy.current} version={counts.nodes} center={partyId} onExpand={(id) => void expand(id)} />
      </div>
    </div>
  );
}

/**
 * The drawn parties other than the page's own, with their link value, so the graph is usable without a
 * pointer. Another resolved party carrying the same name is marked: it may be the same business, to merge.
 */
function NeighbourList({ cy, version, center, onExpand }: { cy: Core | null; version: number; center: string; onExpand: (id: string) => void }) {
  void version;
  if (!cy) return null;
  const own = String(cy.getElementById(center).data('label') ?? '');
  const nodes = cy
    .nodes('[kind = "party"]')
    .filter((n) => n.id() !== center)
    .nodes()
    .map((n) => ({ id: n.id(), label: String(n.data('label')), value: n.connectedEdges().reduce((s, e) => s + Number(e.data('value') ?? 0), 0) }))
    .sort((a, b) => b.value - a.value)
    .slice(0, 30);
  if (!nodes.length) return <p className="muted small">No neighbour drawn yet.</p>;
  return (
    <ul className="small neighbour-list" data-testid="neighbours">
      {nodes.map((n) => (
        <li key={n.id}>
          <button type="button" className="link-button" onClick={() => onExpand(n.id)} title="Expand in the graph">
            {n.label}
          </button>{' '}
          <span className="muted">{formatCompact(n.value)}</span>
          {own && n.label === own && <span className="muted"> (another record with this name: the same business?)</span>}
        </li>
      ))}
    </ul>
  );
}
