// What a task calls: a business rule task's DMN decision (spiffworkflow:calledDecisionId) and a call
// activity's process (bpmn:calledElement, the called process's id).

import {
  isSelectEntryEdited,
  isTextFieldEntryEdited,
  SelectEntry,
  TextFieldEntry,
} from '@bpmn-io/properties-panel';
import { jsx } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import { namedOptions, useOptions } from './options.js';
import { getExtensionBody, run, setExtensionBody, SPIFF } from './spiff_ext.js';

export function decisionEntries(element) {
  return is(element, 'bpmn:BusinessRuleTask')
    ? [{ id: 'ql-decision', component: Decision, isEdited: isSelectEntryEdited }]
    : [];
}

export function callActivityEntries(element) {
  return is(element, 'bpmn:CallActivity')
    ? [{ id: 'ql-called-element', component: CalledElement, isEdited: isTextFieldEntryEdited }]
    : [];
}

function Decision({ element, id }) {
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const translate = useService('translate');
  const { decisions } = useOptions();
  const bo = getBusinessObject(element);
  const value = getExtensionBody(bo, SPIFF.calledDecisionId);
  return jsx(SelectEntry, {
    id,
    element,
    label: '决策表',
    description: '本任务运行的 DMN 决策（决策的 id）。',
    getValue: () => value,
    setValue: (chosen) =>
      run(commandStack, setExtensionBody(element, bo, SPIFF.calledDecisionId, chosen || '', bpmnFactory)),
    getOptions: () => namedOptions(decisions, value),
    translate,
  });
}

function CalledElement({ element, id }) {
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  const translate = useService('translate');
  const bo = getBusinessObject(element);
  return jsx(TextFieldEntry, {
    id,
    element,
    label: '被调用流程',
    description: '被调用流程的 id（其 bpmn:process 的 id），如 talk_letter。',
    getValue: () => bo.get('calledElement') || '',
    setValue: (value) =>
      modeling.updateProperties(element, { calledElement: (value || '').trim() || undefined }),
    debounce,
    translate,
  });
}
