/**
 * Cytoscape adds an inline <style> for its container unless an element with this id exists; the server's
 * CSP (default-src 'self') refuses inline styles, so a marker element stands in and styles.css carries the
 * one rule (.__________cytoscape_container { position: relative }). Idempotent; every Cytoscape view calls it
 * before creating its instance.
 */
const CYTOSCAPE_STYLESHEET_ID = '__________cytoscape_stylesheet';

export function preemptCytoscapeStylesheet(doc: Document): void {
  if (doc.getElementById(CYTOSCAPE_STYLESHEET_ID)) return;
  const marker = doc.createElement('meta');
  marker.id = CYTOSCAPE_STYLESHEET_ID;
  doc.head.appendChild(marker);
}
