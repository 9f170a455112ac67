/*
 * Qinglian process view: a process version's diagram with, on each step, how many cases stand there
 * (and how many are overdue, in red). Clicking a step opens the list of those cases.
 *
 *   <div id="process-map" data-xml-url="…/view.bpmn" data-counts='{"A3_propose": {"active": 4,
 *        "overdue": 1, "url": "/instances?…&step=A3_propose"}}'></div>
 *
 * Needs the bpmn-js navigated viewer (global BpmnJS) loaded first; no inline script, no eval (CSP).
 * When done the element gets data-diagram-status="ready" (or "error").
 */
(function () {
  'use strict';

  function badge(count) {
    var el = document.createElement('a');
    el.className = 'ql-count' + (count.overdue ? ' ql-count-overdue' : '');
    el.href = count.url;
    el.textContent = count.overdue ? count.active + '（逾期' + count.overdue + '）' : String(count.active);
    el.setAttribute('aria-label', '在办 ' + count.active + ' 件' + (count.overdue ? '，逾期 ' + count.overdue + ' 件' : ''));
    return el;
  }

  function render(el) {
    var counts = JSON.parse(el.getAttribute('data-counts') || '{}');
    el.setAttribute('data-diagram-status', 'loading');
    window.fetch(el.getAttribute('data-xml-url'), { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) { throw new Error('HTTP ' + r.status); } return r.text(); })
      .then(function (xml) {
        var viewer = new window.BpmnJS({ container: el });
        return viewer.importXML(xml).then(function () {
          var canvas = viewer.get('canvas');
          var overlays = viewer.get('overlays');
          var registry = viewer.get('elementRegistry');
          canvas.zoom('fit-viewport', 'auto');
          Object.keys(counts).forEach(function (id) {
            if (registry.get(id)) {
              overlays.add(id, 'ql-count', { position: { top: -12, right: 12 }, scale: false, html: badge(counts[id]) });
              canvas.addMarker(id, counts[id].overdue ? 'ql-overdue' : 'ql-current');
            }
          });
          viewer.get('eventBus').on('element.click', function (event) {
            var count = counts[event.element.id];
            if (count) {
              window.location.assign(count.url);
            }
          });
          el.setAttribute('data-diagram-status', 'ready');
        });
      })
      .catch(function () {
        el.textContent = '流程图加载失败，请刷新页面重试。';
        el.setAttribute('data-diagram-status', 'error');
      });
  }

  function start() {
    var el = document.getElementById('process-map');
    if (el && typeof window.BpmnJS === 'function') {
      render(el);
    } else if (el) {
      el.setAttribute('data-diagram-status', 'error');
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
