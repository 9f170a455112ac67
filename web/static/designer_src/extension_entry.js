// One panel entry editing the text body of a spiffworkflow extension element (instructionsForEndUser,
// preScript, postScript, messagePayload, messageVariable) of `holder` (default: the element's business
// object), through the commandStack so Ctrl+Z undoes it.

import { TextAreaEntry } from '@bpmn-io/properties-panel';
import { jsx } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';

import { getExtensionBody, run, setExtensionBody } from './spiff_ext.js';

export function ExtensionBodyEntry({
  element,
  id,
  holder,
  type,
  label,
  description,
  component = TextAreaEntry,
  clean = (value) => value || '',
  ...shown
}) {
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const debounce = useService('debounceInput');
  const translate = useService('translate');
  const target = holder || getBusinessObject(element);
  return jsx(component, {
    id,
    element,
    label,
    description,
    getValue: () => getExtensionBody(target, type),
    setValue: (value) => run(commandStack, setExtensionBody(element, target, type, clean(value), bpmnFactory)),
    debounce,
    translate,
    ...shown,
  });
}
