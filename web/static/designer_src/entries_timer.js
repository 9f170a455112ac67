// Timer event definition → 类型 (日期 timeDate / 时长 timeDuration / 周期 timeCycle) and 表达式.
// SpiffWorkflow evaluates the expression as Python: variables and functions as they are, literals quoted.

import {
  isSelectEntryEdited,
  isTextFieldEntryEdited,
  SelectEntry,
  TextFieldEntry,
} from '@bpmn-io/properties-panel';
import { jsx } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

const KINDS = [
  { value: 'timeDate', label: '日期（到该时刻触发）' },
  { value: 'timeDuration', label: '时长（等待一段时间后触发）' },
  { value: 'timeCycle', label: '周期（按周期重复触发）' },
];
const HINTS = {
  timeDate: '到期时刻，如 add_working_days(received, 15) 或 "2026-05-01T09:00:00+08:00"',
  timeDuration: '等待时长，如 "P5D"（5 天）、"PT2H"（2 小时），或保存时长的变量',
  timeCycle: '重复周期，如 "R3/P1W"（每周一次，共 3 次），或保存周期的变量',
};

export function timerDefinition(element) {
  const definitions = getBusinessObject(element).get('eventDefinitions') || [];
  return definitions.find((definition) => is(definition, 'bpmn:TimerEventDefinition'));
}

function timerKind(definition) {
  return KINDS.map((kind) => kind.value).find((kind) => definition.get(kind)) || '';
}

export function timerEntries(element) {
  const definition = is(element, 'bpmn:Event') && timerDefinition(element);
  if (!definition) {
    return [];
  }
  return [
    { id: 'ql-timer-kind', component: TimerKind, isEdited: isSelectEntryEdited, definition },
    { id: 'ql-timer-expression', component: TimerExpression, isEdited: isTextFieldEntryEdited, definition },
  ];
}

function TimerKind({ element, id, definition }) {
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const translate = useService('translate');
  const kind = timerKind(definition);

  // Changing the kind keeps the expression typed so far.
  const setValue = (value) => {
    if (value === kind) {
      return;
    }
    const current = kind && definition.get(kind);
    const properties = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
    if (value) {
      const body = current ? current.get('body') : undefined;
      const expression = bpmnFactory.create('bpmn:FormalExpression', { body });
      expression.$parent = definition;
      properties[value] = expression;
    }
    modeling.updateModdleProperties(element, definition, properties);
  };
  return jsx(SelectEntry, {
    id,
    element,
    label: '类型',
    getValue: () => kind,
    setValue,
    getOptions: () => [{ value: '', label: '（请选择）' }, ...KINDS],
    translate,
  });
}

function TimerExpression({ element, id, definition }) {
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const debounce = useService('debounceInput');
  const translate = useService('translate');
  const kind = timerKind(definition) || 'timeDate';

  const getValue = () => {
    const expression = definition.get(kind);
    return (expression && expression.get('body')) || '';
  };
  const setValue = (value) => {
    const expression = definition.get(kind);
    if (expression) {
      modeling.updateModdleProperties(element, expression, { body: value || undefined });
    } else {
      const created = bpmnFactory.create('bpmn:FormalExpression', { body: value || undefined });
      created.$parent = definition;
      modeling.updateModdleProperties(element, definition, { [kind]: created });
    }
  };
  return jsx(TextFieldEntry, {
    id,
    element,
    label: '表达式',
    description: `Python 表达式：${HINTS[kind]}。字面量要加引号。`,
    getValue,
    setValue,
    debounce,
    translate,
  });
}
