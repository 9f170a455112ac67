/*
 * Table fields of a form (arrays of objects, see web/templates/_macros/fields.html):
 * "添加一行" clones the field's <template data-row-template="NAME"> row, replacing the row index
 * placeholder __i__ in names, ids and label references by the next free index; "删除" removes a row
 * (the last row left is cleared instead). The server reads rows in index order, so gaps are fine.
 *
 * Works under a strict CSP (script-src 'self'): no inline script, no eval, no innerHTML of user data.
 * Without JavaScript the rows the server rendered still work; the buttons stay hidden.
 */
(function () {
  'use strict';

  var PLACEHOLDER = /__i__/g;
  var ATTRIBUTES = ['name', 'id', 'for', 'aria-describedby'];

  // data-row-label holds the translated "（第 # 行）" of the page's language.
  function rowLabel(table, index) {
    return (table.getAttribute('data-row-label') || ' #').replace('#', String(index + 1));
  }

  function addRow(name) {
    var table = document.querySelector('table[data-table="' + name + '"]');
    var template = document.querySelector('template[data-row-template="' + name + '"]');
    if (!table || !template) { return; }
    var index = parseInt(table.getAttribute('data-next'), 10) || 0;
    table.setAttribute('data-next', String(index + 1));
    var row = template.content.firstElementChild.cloneNode(true);
    row.querySelectorAll('*').forEach(function (el) {
      ATTRIBUTES.forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value && value.indexOf('__i__') >= 0) {
          el.setAttribute(attr, value.replace(PLACEHOLDER, String(index)));
        }
      });
      if (el.classList.contains('visually-hidden') && (el.tagName === 'LABEL' || el.tagName === 'LEGEND')) {
        el.textContent = el.textContent + rowLabel(table, table.tBodies[0].rows.length);
      }
    });
    row.querySelectorAll('[data-remove-row]').forEach(function (b) { b.hidden = false; });
    table.tBodies[0].appendChild(row);
    var first = row.querySelector('input:not([type=hidden]), select, textarea');
    if (first) { first.focus(); }
  }

  function clearRow(row) {
    row.querySelectorAll('input, select, textarea').forEach(function (el) {
      if (el.type === 'hidden') { el.parentNode.removeChild(el); }
      else if (el.type === 'checkbox' || el.type === 'radio') { el.checked = false; }
      else { el.value = ''; }
    });
    row.querySelectorAll('.kept').forEach(function (el) { el.parentNode.removeChild(el); });
  }

  function removeRow(button) {
    var row = button.closest('tr');
    var body = row && row.parentNode;
    if (!body) { return; }
    if (body.rows.length > 1) { body.removeChild(row); } else { clearRow(row); }
  }

  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var add = target.closest('[data-add-row]');
    if (add) { event.preventDefault(); addRow(add.getAttribute('data-add-row')); return; }
    var remove = target.closest('[data-remove-row]');
    if (remove) { event.preventDefault(); removeRow(remove); }
  });

  function ready() {
    document.querySelectorAll('[data-add-row], [data-remove-row]').forEach(function (b) { b.hidden = false; });
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', ready); } else { ready(); }
}());
