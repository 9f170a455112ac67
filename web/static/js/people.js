/*
 * Person fields (issue 10 #2): typing a name, a unit or a post offers the people the field accepts,
 * asked of /people (the same checks as the submission: role, unit, 回避). The offer is a list of
 * buttons under the field (name, unit and post); choosing one puts the person's name into the field (their
 * login when another active person has the same name: the submission reads a unique name as the login); a
 * list field (several people, separated by 、) searches for the name typed after the last separator and
 * keeps the ones before it.
 *
 * The list lies over the form below the field (it never pushes the form down under the pointer) and closes
 * when the field is left for anything but the list, or on Escape.
 *
 * Works under a strict CSP (script-src 'self'): no inline script, no eval, no innerHTML of user data.
 * Without JavaScript the field still takes logins or unique names typed by hand.
 */
(function () {
  'use strict';

  var SEPARATORS = /[、,，;；\s]+/;
  var WAIT_MS = 200;

  function source(input) {
    var form = input.closest('form');
    if (!form) { return null; }
    if (form.getAttribute('data-people-task')) { return 'task=' + encodeURIComponent(form.getAttribute('data-people-task')); }
    if (form.getAttribute('data-people-process')) { return 'process=' + encodeURIComponent(form.getAttribute('data-people-process')); }
    return null;
  }

  function split(value) {
    var cut = value.search(/[、,，;；\s][^、,，;；\s]*$/);
    if (cut < 0) { return { before: '', typed: value }; }
    var rest = value.slice(cut);
    var sep = rest.match(SEPARATORS)[0];
    return { before: value.slice(0, cut) + sep, typed: rest.slice(sep.length) };
  }

  function inside(list, input, element) {
    return element === input || (element !== null && list.contains(element));
  }

  function offer(input, list, items, before) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    // an answer that comes after the person left the field is not shown
    list.hidden = items.length === 0 || !inside(list, input, document.activeElement);
    items.forEach(function (person) {
      var item = document.createElement('li');
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'link';
      button.textContent = person.label;
      button.addEventListener('mousedown', function (event) { event.preventDefault(); });  // keep the focus
      button.addEventListener('click', function () {
        input.value = before + (person.fills || person.username);  // the name, unless it is ambiguous
        list.hidden = true;
        input.focus();
      });
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  function attach(input) {
    var list = document.getElementById(input.getAttribute('data-people-list'));
    var from = source(input);
    if (!list || !from) { return; }
    var timer = null;
    var asked = 0;
    var pending = null;
    // Submitting ends the search: once the step is done, a search for it would be answered 404.
    input.closest('form').addEventListener('submit', function () {
      if (timer) { clearTimeout(timer); }
      if (pending) { pending.abort(); }
    });
    function close() {
      if (timer) { clearTimeout(timer); timer = null; }
      list.hidden = true;
    }
    [input, list].forEach(function (element) {
      element.addEventListener('focusout', function (event) {
        if (!inside(list, input, event.relatedTarget)) { close(); }
      });
      element.addEventListener('keydown', function (event) {
        if (event.key === 'Escape' && !list.hidden) { close(); input.focus(); event.preventDefault(); }
      });
    });
    input.addEventListener('input', function () {
      var parts = input.getAttribute('data-people-many') ? split(input.value) : { before: '', typed: input.value };
      if (timer) { clearTimeout(timer); }
      if (!parts.typed.trim()) { return; }
      timer = setTimeout(function () {
        var mine = ++asked;
        var url = '/people?' + from + '&field=' + encodeURIComponent(input.getAttribute('data-people')) +
          '&q=' + encodeURIComponent(parts.typed.trim());
        pending = new AbortController();
        fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' }, signal: pending.signal })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (body) { if (mine === asked) { offer(input, list, body.items || [], parts.before); } })
          .catch(function () { /* the field still takes what is typed */ });
      }, WAIT_MS);
    });
  }

  function attachAll(root) {
    root.querySelectorAll('input[data-people]').forEach(function (input) {
      if (!input.hasAttribute('data-people-ready')) {
        input.setAttribute('data-people-ready', '1');
        attach(input);
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    attachAll(document);
    // rows added by table.js get their own person fields
    new MutationObserver(function () { attachAll(document); }).observe(document.body, { childList: true, subtree: true });
  });
}());
