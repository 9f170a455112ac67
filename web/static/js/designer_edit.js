/*
 * The 编辑流程图 page: opens the draft's diagram in QinglianDesigner (web/static/vendor/designer/modeler.js),
 * saves it to the draft (POST, CSRF header) and shows the validation the server answers with: each problem
 * pinned on its element and listed below (a click selects the element). Strict CSP: no inline script.
 */
(function () {
  'use strict';

  var root = document.getElementById('designer');
  if (!root) { return; }
  var status = document.getElementById('designer-status');
  var list = document.getElementById('designer-problem-list');
  var box = document.getElementById('designer-problems');
  var saveButton = document.getElementById('designer-save');
  var dirty = false;

  function say(text, kind) {
    status.textContent = text;
    status.className = kind || '';
  }

  function showProblems(designer, problems) {
    designer.clearPins();
    designer.pin(problems);
    list.innerHTML = '';
    problems.forEach(function (p) {
      var item = document.createElement('li');
      var text = p.message;
      if (p.element) {
        var link = document.createElement('a');
        link.href = '#';
        link.textContent = text;
        link.addEventListener('click', function (event) {
          event.preventDefault();
          designer.select(p.element);
        });
        item.appendChild(link);
      } else {
        item.textContent = text;
      }
      list.appendChild(item);
    });
    box.hidden = problems.length === 0;
  }

  function save(designer) {
    saveButton.disabled = true;
    say('正在保存……');
    return designer.xml().then(function (xml) {
      return window.fetch(root.dataset.saveUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/xml', 'X-CSRFToken': root.dataset.csrf },
        body: xml
      });
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (!answer.ok || !answer.body.saved) {
        say('未保存：' + (answer.body.error || '请稍后重试'), 'field-error');
        return;
      }
      dirty = false;
      var problems = answer.body.problems || [];
      showProblems(designer, problems);
      root.setAttribute('data-revision', answer.body.revision);
      say(problems.length ? '已保存为第 ' + answer.body.revision + ' 稿；校验发现 ' + problems.length + ' 个问题'
        : '已保存为第 ' + answer.body.revision + ' 稿；校验通过', problems.length ? 'field-error' : 'ok');
    }).catch(function () {
      say('保存失败：网络或服务器出错，请稍后重试', 'field-error');
    }).then(function () {
      saveButton.disabled = false;
      root.setAttribute('data-designer-status', 'saved');
    });
  }

  if (!window.QinglianDesigner) {
    say('流程图编辑器未能加载，请联系管理员。', 'field-error');
    return;
  }
  var setup = JSON.parse(root.dataset.setup);
  var designer = window.QinglianDesigner.create({
    canvas: document.getElementById('designer-canvas'),
    panel: document.getElementById('designer-panel'),
    roles: setup.roles,
    forms: setup.forms,
    decisions: setup.decisions,
    messages: setup.messages
  });
  window.qinglianDesigner = designer;  // for the browser tests
  designer.onChange(function () {
    dirty = true;
    say('有未保存的修改');
  });
  window.addEventListener('beforeunload', function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ''; }
  });
  saveButton.addEventListener('click', function () { save(designer); });
  window.fetch(root.dataset.xmlUrl, { credentials: 'same-origin' }).then(function (response) {
    if (!response.ok) { throw new Error('HTTP ' + response.status); }
    return response.text();
  }).then(function (xml) {
    return designer.open(xml);
  }).then(function () {
    if (root.dataset.select) { designer.select(root.dataset.select); }
    root.setAttribute('data-designer-status', 'ready');
  }).catch(function (error) {
    say('流程图无法打开：' + error.message, 'field-error');
    root.setAttribute('data-designer-status', 'error');
  });
}());
