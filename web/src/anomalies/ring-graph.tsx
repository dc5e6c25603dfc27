/**
 * A circular-trade ring drawn as a graph (Cytoscape.js, as the party graph): one node per party of the ring
 * (its name, linked from the leg table beside it), one arrow per leg from exporter to importer labelled with
 * its order, date and value; the leg of the flagged line in the flag colour. Laid out as a circle, so the
 * ring reads as a ring.
 *
 * Invariants: the drawing is an image to assistive technology; the same legs are in the table that follows
 * it (evidence-view.tsx). One Cytoscape instance per mounted ring, destroyed with it.
 */
import { useEffect, useRef } from 'react';
import cytoscape from 'cytoscape';
import { formatCompact } from '../format/number-format.ts';
import { preemptCytoscapeStylesheet } from '../parties/cytoscape-csp.ts';

export interface RingLeg {
  exporter: string;
  importer: string;
  date: string;
  value: number;
}

export function RingGraph({ legs, flaggedLeg, nameOf, currency }: { legs: readonly RingLeg[]; flaggedLeg: number; nameOf: (ref: string) => string; currency: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    preemptCytoscapeStylesheet(document);
    const refs = [...new Set(legs.flatMap((l) => [l.exporter, l.importer]))];
    const c = cytoscape({
      container: box.current,
      elements: [
        ...refs.map((r) => ({ group: 'nodes' as const, data: { id: r, label: nameOf(r) } })),
        ...legs.map((l, i) => ({
          group: 'edges' as const,
          data: { id: `leg${i}`, source: l.exporter, target: l.importer, label: `${i + 1}: ${l.date}, ${formatCompact(l.value)} ${currency}`, flagged: i + 1 === flaggedLeg ? 1 : 0 },
        })),
      ],
      style: [
        { selector: 'node', style: { label: 'data(label)', 'font-size': 11, 'text-wrap': 'wrap', 'text-max-width': '150px', 'text-valign': 'bottom', 'text-margin-y': 4, color: '#111827', width: 16, height: 16, 'background-color': '#1d4ed8' } },
        // Labels run along their edge, so the labels of a small ring do not cross each other.
        { selector: 'edge', style: { label: 'data(label)', 'font-size': 10, color: '#374151', 'text-rotation': 'autorotate', 'text-margin-y': -8, width: 2, 'line-color': '#93c5fd', 'target-arrow-color': '#93c5fd', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier' } },
        { selector: 'edge[flagged = 1]', style: { 'line-color': '#b91c1c', 'target-arrow-color': '#b91c1c', width: 3, color: '#7f1d1d' } },
      ],
      layout: { name: 'circle', padding: 40, startAngle: -Math.PI / 2 } as cytoscape.LayoutOptions,
      userZoomingEnabled: false,
      userPanningEnabled: false,
      boxSelectionEnabled: false,
      autoungrabify: true,
    });
    return () => c.destroy();
  }, [legs, flaggedLeg, nameOf, currency]);
  return (
    <div
      ref={box}
      className="ring-canvas"
      role="img"
      aria-label={`Circular trade ring of ${new Set(legs.flatMap((l) => [l.exporter, l.importer])).size} parties in ${legs.length} legs; the flagged line is leg ${flaggedLeg}`}
      data-testid="ring-graph"
      data-legs={legs.length}
    />
  );
}
