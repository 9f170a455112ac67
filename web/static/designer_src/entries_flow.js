// Sequence flow out of an exclusive or inclusive gateway → 条件 (a Python expression, bpmn:FormalExpression).

import { isTextAreaEntryEdited, TextAreaEntry } from '@bpmn-io/properties-panel';
import { jsx } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil';

export function conditionEntries(element) {
  const fromGateway =
    is(element, 'bpmn:SequenceFlow') &&
    element.source &&
    isAny(element.source, ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway']);
  return fromGateway ? [{ id: 'ql-condition', component: Condition, isEdited: isTextAreaEntryEdited }] : [];
}

function Condition({ element, id }) {
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const debounce = useService('debounceInput');
  const translate = useService('translate');
  const bo = getBusinessObject(element);
  const isDefault = getBusinessObject(element.source).get('default') === bo;

  const getValue = () => {
    const expression = bo.get('conditionExpression');
    return (expression && expression.get('body')) || '';
  };
  const setValue = (value) => {
    const expression = bo.get('conditionExpression');
    if (!value) {
      modeling.updateProperties(element, { conditionExpression: undefined });
    } else if (expression) {
      modeling.updateModdleProperties(element, expression, { body: value });
    } else {
      const created = bpmnFactory.create('bpmn:FormalExpression', { body: value });
      modeling.updateProperties(element, { conditionExpression: created });
    }
  };
  return jsx(TextAreaEntry, {
    id,
    element,
    label: '条件',
    description: isDefault
      ? '这是网关的默认流：其他条件都不成立时走这里，不需要条件。'
      : 'Python 表达式，为真时走这条顺序流，如 decision == "同意"（字符串要加引号）。',
    getValue,
    setValue,
    debounce,
    rows: 2,
    monospace: true,
    translate,
  });
}
