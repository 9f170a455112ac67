// Python the engine runs: a script task's script, and any activity's pre-/post-script
// (spiffworkflow:preScript runs before the task, postScript after it completes).

import { isTextAreaEntryEdited, TextAreaEntry } from '@bpmn-io/properties-panel';
import { jsx } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import { ExtensionBodyEntry } from './extension_entry.js';
import { SPIFF } from './spiff_ext.js';

export function scriptTaskEntries(element) {
  return is(element, 'bpmn:ScriptTask')
    ? [{ id: 'ql-script', component: Script, isEdited: isTextAreaEntryEdited }]
    : [];
}

export function prePostScriptEntries(element) {
  if (!is(element, 'bpmn:Activity')) {
    return [];
  }
  return [
    { id: 'ql-pre-script', component: PreScript, isEdited: isTextAreaEntryEdited },
    { id: 'ql-post-script', component: PostScript, isEdited: isTextAreaEntryEdited },
  ];
}

function Script({ element, id }) {
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  const translate = useService('translate');
  const bo = getBusinessObject(element);
  return jsx(TextAreaEntry, {
    id,
    element,
    label: '脚本',
    description: 'Python（受限）：读写流程变量，如 plan_due = add_working_days(received, 15)。',
    getValue: () => bo.get('script') || '',
    setValue: (value) =>
      modeling.updateProperties(element, { scriptFormat: 'python', script: value || undefined }),
    debounce,
    rows: 6,
    monospace: true,
    translate,
  });
}

function PreScript(props) {
  const description = '任务开始前运行的 Python。';
  return ExtensionBodyEntry({ ...props, type: SPIFF.preScript, label: '前置脚本', description, rows: 3, monospace: true });
}

function PostScript(props) {
  const description = '任务完成后运行的 Python。';
  return ExtensionBodyEntry({ ...props, type: SPIFF.postScript, label: '后置脚本', description, rows: 3, monospace: true });
}
