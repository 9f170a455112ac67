/*
 * 编辑表单: the preview follows what is typed (debounced): the server draws the form with the officers'
 * own field code and answers its HTML. Strict CSP: no inline script.
 */
(function () {
  'use strict';
  var root = document.getElementById('form-editor');
  if (!root) { return; }
  var schema = document.getElementById('schema');
  var ui = document.getElementById('ui');
  var preview = document.getElementById('form-preview');
  var timer = null;

  function refresh() {
    window.fetch(root.dataset.previewUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': root.dataset.csrf },
      body: JSON.stringify({ schema: schema.value, ui: ui.value })
    }).then(function (response) {
      return response.json();
    }).then(function (body) {
      preview.innerHTML = body.html;
      root.setAttribute('data-preview-status', 'ready');
    }).catch(function () {
      root.setAttribute('data-preview-status', 'error');
    });
  }

  function later() {
    root.setAttribute('data-preview-status', 'pending');
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }
  schema.addEventListener('input', later);
  ui.addEventListener('input', later);
}());
