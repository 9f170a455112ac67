/*
 * 编辑决策表: dmn-js's modeler (global DmnJS, web/static/vendor/dmn-js) on one DMN file of the draft, opened
 * on its decision table; saved to the draft with the CSRF header, and the server's validation listed.
 */
(function () {
  'use strict';
  var root = document.getElementById('decision-editor');
  if (!root || !window.DmnJS) { return; }
  var status = document.getElementById('decision-status');
  var problems = document.getElementById('decision-problems');
  var WORDS = {
    'When': '当', 'And': '且', 'Then': '则', 'Annotation': '说明', 'Annotations': '说明',
    'Hit policy': '命中策略', 'Hit policy:': '命中策略：', 'Unique': '唯一', 'First': '首个', 'Priority': '优先',
    'Any': '任一', 'Collect': '汇总', 'Rule order': '规则顺序', 'Output order': '输出顺序',
    'View DRD': '查看决策需求图', 'Add rule': '添加规则', 'Add rule above': '在上方添加规则',
    'Add rule below': '在下方添加规则', 'Copy rule': '复制规则', 'Cut rule': '剪切规则', 'Remove rule': '删除规则',
    'Paste rule above': '粘贴到上方', 'Paste rule below': '粘贴到下方', 'Move rule': '移动规则',
    'Add input': '添加输入', 'Add output': '添加输出', 'Add input column left': '在左侧添加输入列',
    'Add input column right': '在右侧添加输入列', 'Add output column left': '在左侧添加输出列',
    'Add output column right': '在右侧添加输出列', 'Remove input column': '删除输入列',
    'Remove output column': '删除输出列', 'Copy input column': '复制输入列', 'Copy output column': '复制输出列',
    'Cut input column': '剪切输入列', 'Cut output column': '剪切输出列',
    'Paste input column left': '粘贴到左侧', 'Paste input column right': '粘贴到右侧',
    'Paste output column left': '粘贴到左侧', 'Paste output column right': '粘贴到右侧',
    'Input': '输入', 'Output': '输出', 'Input label': '输入名称', 'Input label: ': '输入名称：',
    'Input expression': '输入表达式', 'Input expression: ': '输入表达式：', 'Input type': '输入类型',
    'Input values': '输入取值', 'Output label': '输出名称', 'Output label: ': '输出名称：',
    'Output name': '输出变量', 'Output name: ': '输出变量：', 'Output type': '输出类型', 'Output values': '输出取值',
    'Expression': '表达式', 'Expression language': '表达式语言', 'Enter expression': '输入表达式',
    'Type': '类型', 'Value': '值', 'Values': '取值', 'Yes': '是', 'No': '否', 'Edit': '编辑',
    'Add cell description': '添加单元格说明', 'Remove cell description': '删除单元格说明',
    'Predefined values': '预设取值', 'Add predefined values': '添加预设取值', 'Clear predefined values': '清除预设取值',
    'Strings must be in double quotes': '文字须加双引号', 'Decision name': '决策名称', 'Decision name: ': '决策名称：',
    'Resize': '调整宽度', 'Boolean value': '布尔值', 'String value': '文字', 'Match one': '匹配其一',
    'Match none': '都不匹配', 'Include': '包含', 'Exclude': '排除', 'Equals': '等于', 'Comparison': '比较',
    'Range': '范围', 'Greater': '大于', 'Greater or equals': '大于等于', 'Less': '小于', 'Less or equals': '小于等于'
  };
  function translate(template, replacements) {
    var text = WORDS[template] || template;
    return text.replace(/{([^}]+)}/g, function (_, key) {
      return replacements && replacements[key] !== undefined ? replacements[key] : '{' + key + '}';
    });
  }
  var chinese = { translate: ['value', translate] };
  var modeler = new window.DmnJS({
    container: document.getElementById('decision-canvas'),
    common: { additionalModules: [chinese] },
    drd: { additionalModules: [chinese] },
    decisionTable: { additionalModules: [chinese] },
    literalExpression: { additionalModules: [chinese] },
    boxedExpression: { additionalModules: [chinese] }
  });
  window.qinglianDecisions = modeler;  // for the browser tests

  function say(text, kind) { status.textContent = text; status.className = kind || ''; }

  window.fetch(root.dataset.xmlUrl, { credentials: 'same-origin' }).then(function (r) {
    if (!r.ok) { throw new Error('HTTP ' + r.status); }
    return r.text();
  }).then(function (xml) {
    return modeler.importXML(xml);
  }).then(function () {
    var table = modeler.getViews().filter(function (v) { return v.type === 'decisionTable'; })[0];
    return table ? modeler.open(table) : null;
  }).then(function () {
    root.setAttribute('data-decision-status', 'ready');
  }).catch(function (error) {
    say('决策表无法打开：' + error.message, 'field-error');
    root.setAttribute('data-decision-status', 'error');
  });

  document.getElementById('decision-save').addEventListener('click', function () {
    say('正在保存……');
    modeler.saveXML({ format: true }).then(function (result) {
      return window.fetch(root.dataset.saveUrl, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/xml', 'X-CSRFToken': root.dataset.csrf },
        body: result.xml
      });
    }).then(function (r) { return r.json(); }).then(function (body) {
      problems.innerHTML = '';
      if (!body.saved) { say('未保存：' + body.error, 'field-error'); return; }
      (body.problems || []).forEach(function (p) {
        var li = document.createElement('li');
        li.textContent = p.message;
        problems.appendChild(li);
      });
      say(body.problems.length ? '已保存为第 ' + body.revision + ' 稿；校验发现 ' + body.problems.length + ' 个问题'
        : '已保存为第 ' + body.revision + ' 稿；校验通过', body.problems.length ? 'field-error' : 'ok');
    }).catch(function () {
      say('保存失败：网络或服务器出错，请稍后重试', 'field-error');
    });
  });
}());
