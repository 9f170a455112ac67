// User task → 表单: the form files (JSON Schema and its UI schema), the instructions shown above the
// form, and the variable holding the step's due date.

import {
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
  SelectEntry,
  TextFieldEntry,
} from '@bpmn-io/properties-panel';
import { jsx } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import { namedOptions, useOptions } from './options.js';
import { ExtensionBodyEntry } from './extension_entry.js';
import { getSpiffProperty, run, setSpiffProperty, SPIFF } from './spiff_ext.js';

export function userTaskEntries(element) {
  if (!is(element, 'bpmn:UserTask')) {
    return [];
  }
  return [
    { id: 'ql-form', component: FormSchema, isEdited: isSelectEntryEdited },
    { id: 'ql-ui-form', component: UiSchema, isEdited: isSelectEntryEdited },
    { id: 'ql-instructions', component: Instructions, isEdited: isTextAreaEntryEdited },
    { id: 'ql-due', component: DueDateVariable, isEdited: isTextFieldEntryEdited },
  ];
}

// get/set of one <spiffworkflow:property name=…> of the element
function useProperty(element, name) {
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const bo = getBusinessObject(element);
  return {
    getValue: () => getSpiffProperty(bo, name),
    setValue: (value) =>
      run(commandStack, setSpiffProperty(element, bo, name, (value || '').trim(), bpmnFactory)),
  };
}

function FormSchema({ element, id }) {
  const translate = useService('translate');
  const { schemas } = useOptions();
  const property = useProperty(element, 'formJsonSchemaFilename');
  const value = property.getValue();
  return jsx(SelectEntry, {
    id,
    element,
    label: '表单',
    description: '办理人填写的表单（JSON Schema 文件）。',
    ...property,
    getOptions: () => namedOptions(schemas, value),
    translate,
  });
}

function UiSchema({ element, id }) {
  const translate = useService('translate');
  const { uiSchemas } = useOptions();
  const property = useProperty(element, 'formUiSchemaFilename');
  const value = property.getValue();
  return jsx(SelectEntry, {
    id,
    element,
    label: '界面表单',
    description: '可选：表单的界面布局（.uischema.json）。',
    ...property,
    getOptions: () => namedOptions(uiSchemas, value),
    translate,
  });
}

function Instructions(props) {
  return ExtensionBodyEntry({
    ...props,
    type: SPIFF.instructions,
    label: '办理说明',
    description: '显示在表单上方；可引用流程变量，如 {{ finding_ref }}。',
    rows: 4,
  });
}

function DueDateVariable({ element, id }) {
  const debounce = useService('debounceInput');
  const translate = useService('translate');
  return jsx(TextFieldEntry, {
    id,
    element,
    label: '期限变量',
    description: '保存本步办理期限（日期）的流程变量名，如 plan_due；不填则本步没有期限。',
    ...useProperty(element, 'dueDateVariable'),
    debounce,
    translate,
  });
}
