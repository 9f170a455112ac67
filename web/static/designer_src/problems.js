// Problems pinned on the diagram: the element gets the marker class 'ql-problem' (drawn red) and an
// overlay badge "!" whose title (and hover text) is the message. Problems naming no element on this
// diagram are not pinned; pin() hands them back for the page to list.

const OVERLAY = 'ql-problem';
const STYLE_ID = 'ql-designer-style';
const CSS = `
.djs-shape.ql-problem .djs-visual > :first-child { stroke: #cf1322 !important; stroke-width: 3px !important; }
.djs-connection.ql-problem .djs-visual > path { stroke: #cf1322 !important; stroke-width: 3px !important; }
.ql-problem-badge { display: flex; align-items: flex-start; gap: 4px; font: 12px/1.4 sans-serif;
  cursor: help; }
.ql-problem-badge .ql-problem-mark { flex: none; width: 18px; height: 18px; border-radius: 50%;
  background: #cf1322; color: #fff; font-weight: bold; text-align: center; line-height: 18px;
  box-shadow: 0 0 0 2px #fff; }
.ql-problem-badge .ql-problem-text { display: none; width: max-content; max-width: 260px; padding: 4px 6px;
  border-radius: 3px; background: #fff1f0; border: 1px solid #ffa39e; color: #a8071a; white-space: pre-line; }
.ql-problem-badge:hover .ql-problem-text { display: block; }
.djs-overlay:has(.ql-problem-badge:hover) { z-index: 10; }
`;

/** Add the designer's own CSS (pins) to `doc` once. */
export function injectStyle(doc) {
  if (doc.getElementById(STYLE_ID)) {
    return;
  }
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}

function badge(doc, messages) {
  const root = doc.createElement('div');
  root.className = 'ql-problem-badge';
  root.title = messages.join('\n');
  const mark = doc.createElement('span');
  mark.className = 'ql-problem-mark';
  mark.textContent = messages.length > 1 ? String(messages.length) : '!';
  const text = doc.createElement('span');
  text.className = 'ql-problem-text';
  text.textContent = messages.join('\n');
  root.append(mark, text);
  return root;
}

export function createPins(modeler) {
  const canvas = modeler.get('canvas');
  const overlays = modeler.get('overlays');
  const elementRegistry = modeler.get('elementRegistry');
  let pinned = [];

  function clear() {
    overlays.remove({ type: OVERLAY });
    pinned.forEach((id) => {
      if (elementRegistry.get(id)) {
        canvas.removeMarker(id, 'ql-problem');
      }
    });
    pinned = [];
  }

  function pin(problems) {
    clear();
    const byElement = new Map();
    const unplaced = [];
    (problems || []).forEach((problem) => {
      const id = problem && problem.element;
      if (id && elementRegistry.get(id)) {
        byElement.set(id, [...(byElement.get(id) || []), String(problem.message || '')]);
      } else if (problem) {
        unplaced.push(problem);
      }
    });
    const doc = canvas.getContainer().ownerDocument;
    byElement.forEach((messages, id) => {
      canvas.addMarker(id, 'ql-problem');
      overlays.add(id, OVERLAY, { position: { top: -9, right: 9 }, html: badge(doc, messages) });
      pinned.push(id);
    });
    return unplaced;
  }

  return { pin, clear };
}
