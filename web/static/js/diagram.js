/*
 * Qinglian process diagram: read-only BPMN view with the progress of one instance.
 *
 * Markup (the bpmn-js bundle must be loaded before this file; both may use `defer`):
 *
 *   <link rel="stylesheet" href="/static/vendor/bpmn-js/assets/diagram-js.css">
 *   <link rel="stylesheet" href="/static/vendor/bpmn-js/assets/bpmn-js.css">
 *   <link rel="stylesheet" href="/static/vendor/bpmn-js/assets/bpmn-font/css/bpmn.css">
 *   <link rel="stylesheet" href="/static/css/diagram.css">
 *   <div id="diagram" data-xml-url="/instances/7/diagram.bpmn" data-state-url="/instances/7/diagram-state.json"></div>
 *   <script src="/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" defer></script>
 *   <script src="/static/js/diagram.js" defer></script>
 *
 * data-state-url is optional (a process model without an instance). The state is JSON:
 *   {"completed": [bpmn ids], "current": [bpmn ids], "overdue": [bpmn ids]}
 * Each id gets the marker class ql-completed / ql-current / ql-overdue (styled in diagram.css).
 * An element inside a collapsed sub-process also marks the sub-process shape as current/overdue.
 * data-legend="false" hides the legend.
 *
 * Works under a strict CSP (script-src 'self'): no inline script, no eval. When done, the element
 * gets data-diagram-status="ready" or "error" and fires the event "ql:diagram" (detail: {status}).
 */
(function () {
  'use strict';

  var KINDS = [
    ['completed', 'ql-completed', '已办结'],
    ['current', 'ql-current', '当前环节'],
    ['overdue', 'ql-overdue', '已逾期']
  ];
  var PROPAGATE = { current: true, overdue: true };

  var TEXT = {
    noLibrary: '流程图组件未能加载，请联系管理员。',
    loadFailed: '流程图加载失败，请刷新页面重试。',
    badDiagram: '流程图无法显示：流程文件格式有误。',
    stateFailed: '办理进度加载失败，图中未标示进度。'
  };

  function fetchOk(url, accept) {
    return window.fetch(url, {
      credentials: 'same-origin',
      headers: { Accept: accept }
    }).then(function (response) {
      if (!response.ok) {
        throw new Error('HTTP ' + response.status + ' for ' + url);
      }
      return response;
    });
  }

  function finish(el, status) {
    el.setAttribute('data-diagram-status', status);
    var event;
    try {
      event = new CustomEvent('ql:diagram', { detail: { status: status } });
    } catch (e) {
      return;
    }
    el.dispatchEvent(event);
  }

  function showError(el, message) {
    el.textContent = '';
    var p = document.createElement('p');
    p.className = 'ql-diagram-error';
    p.setAttribute('role', 'alert');
    p.textContent = message;
    el.appendChild(p);
    finish(el, 'error');
  }

  function showNotice(el, message) {
    var p = document.createElement('p');
    p.className = 'ql-diagram-notice';
    p.setAttribute('role', 'status');
    p.textContent = message;
    el.appendChild(p);
  }

  function showLegend(el) {
    var ul = document.createElement('ul');
    ul.className = 'ql-diagram-legend';
    ul.setAttribute('aria-label', '图例');
    KINDS.forEach(function (kind) {
      var li = document.createElement('li');
      var swatch = document.createElement('span');
      swatch.className = 'ql-swatch ' + kind[1];
      swatch.setAttribute('aria-hidden', 'true');
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(kind[2]));
      ul.appendChild(li);
    });
    el.appendChild(ul);
  }

  // Zoom controls: larger, smaller, and the whole diagram fitted into the box (the mouse wheel and
  // dragging also work, but a reader should not have to know that).
  var ZOOMS = [
    ['in', '+', '放大', function (canvas) { canvas.zoom(canvas.zoom() * 1.25); }],
    ['out', '−', '缩小', function (canvas) { canvas.zoom(canvas.zoom() / 1.25); }],
    ['fit', '⤢', '适合窗口（显示全图）', function (canvas) { canvas.zoom('fit-viewport', 'auto'); }]
  ];

  function showZoom(el, viewer) {
    var bar = document.createElement('div');
    bar.className = 'ql-diagram-zoom';
    bar.setAttribute('role', 'group');
    bar.setAttribute('aria-label', '缩放');
    ZOOMS.forEach(function (zoom) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'ql-zoom-' + zoom[0];
      button.textContent = zoom[1];
      button.title = zoom[2];
      button.setAttribute('aria-label', zoom[2]);
      button.addEventListener('click', function () { zoom[3](viewer.get('canvas')); });
      bar.appendChild(button);
    });
    el.appendChild(bar);
  }

  function idsOf(state, key) {
    var list = state && state[key];
    if (!Array.isArray(list)) {
      return [];
    }
    return list.filter(function (id) { return typeof id === 'string' && id; });
  }

  /* The shape that stands for a collapsed sub-process whose plane contains `element`, if any. */
  function enclosingShape(registry, element) {
    var root = element;
    while (root.parent) {
      root = root.parent;
    }
    var bo = root.businessObject;
    var shape = bo && registry.get(bo.id);
    return shape && shape !== root && shape !== element ? shape : null;
  }

  function applyMarkers(viewer, state) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    var marked = 0;
    KINDS.forEach(function (kind) {
      idsOf(state, kind[0]).forEach(function (id) {
        var element = registry.get(id);
        if (!element) {
          return; // an id of another version of the model: nothing to mark
        }
        canvas.addMarker(element, kind[1]);
        marked += 1;
        if (PROPAGATE[kind[0]]) {
          for (var up = enclosingShape(registry, element); up; up = enclosingShape(registry, up)) {
            canvas.addMarker(up, kind[1]);
          }
        }
      });
    });
    return marked;
  }

  function render(el) {
    var xmlUrl = el.getAttribute('data-xml-url');
    var stateUrl = el.getAttribute('data-state-url');
    el.classList.add('ql-diagram');
    el.setAttribute('data-diagram-status', 'loading');

    if (typeof window.BpmnJS !== 'function') {
      showError(el, TEXT.noLibrary);
      return;
    }
    if (!xmlUrl) {
      showError(el, TEXT.loadFailed);
      return;
    }

    var xmlPromise = fetchOk(xmlUrl, 'application/xml, text/xml').then(function (r) { return r.text(); });
    var statePromise = stateUrl
      ? fetchOk(stateUrl, 'application/json').then(function (r) { return r.json(); })
        .then(function (s) { return { state: s }; }, function () { return { failed: true }; })
      : Promise.resolve({ state: null });

    xmlPromise.then(function (xml) {
      var viewer = new window.BpmnJS({ container: el });
      el.qlViewer = viewer;
      return viewer.importXML(xml).then(function () {
        return statePromise;
      }, function (err) {
        viewer.destroy();
        el.qlViewer = null;
        err.qlBadDiagram = true;
        throw err;
      }).then(function (result) {
        var canvas = viewer.get('canvas');
        canvas.zoom('fit-viewport', 'auto');
        showZoom(el, viewer);
        if (result.failed) {
          showNotice(el, TEXT.stateFailed);
        } else if (result.state) {
          applyMarkers(viewer, result.state);
          focusCurrent(viewer);
          if (el.getAttribute('data-legend') !== 'false') {
            showLegend(el);
          }
        }
        finish(el, 'ready');
      });
    }).catch(function (err) {
      showError(el, err && err.qlBadDiagram ? TEXT.badDiagram : TEXT.loadFailed);
    });
  }

  // A large diagram fitted into the box is unreadable: zoom to where the case stands instead
  // (the navigated viewer lets the reader pan and zoom out to see the rest).
  var READABLE_SCALE = 0.75;

  function focusCurrent(viewer) {
    var canvas = viewer.get('canvas');
    if (canvas.zoom() >= READABLE_SCALE) {
      return;
    }
    var registry = viewer.get('elementRegistry');
    var root = canvas.getRootElement();
    var rootOf = function (e) { while (e.parent) { e = e.parent; } return e; };
    // Marked shapes drawn on the visible plane (a step inside a collapsed sub-process marks it too).
    var shapes = registry.filter(function (e) {
      return e.width && !e.labelTarget && canvas.hasMarker(e, 'ql-current') && rootOf(e) === root;
    });
    if (!shapes.length) {
      return;
    }
    var box = shapes.reduce(function (acc, s) {
      return {
        x1: Math.min(acc.x1, s.x), y1: Math.min(acc.y1, s.y),
        x2: Math.max(acc.x2, s.x + s.width), y2: Math.max(acc.y2, s.y + s.height)
      };
    }, { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity });
    var outer = canvas.viewbox().outer;
    var width = outer.width / READABLE_SCALE;
    var height = outer.height / READABLE_SCALE;
    canvas.viewbox({
      x: (box.x1 + box.x2) / 2 - width / 2, y: (box.y1 + box.y2) / 2 - height / 2, width: width, height: height
    });
  }

  function start() {
    var nodes = document.querySelectorAll('#diagram[data-xml-url], .ql-diagram[data-xml-url]');
    Array.prototype.forEach.call(nodes, function (el) {
      if (!el.hasAttribute('data-diagram-status')) {
        render(el);
      }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
