// Message event definition (and send/receive task) → 消息 (the bpmn:Message it refers to, by name),
// 消息内容 (spiffworkflow:messagePayload, what a throw sends) and 接收变量 (spiffworkflow:messageVariable,
// where a catch puts what arrives). Messages are matched across processes by name.

import {
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
  TextFieldEntry,
} from '@bpmn-io/properties-panel';
import { jsx } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil';

import { useOptions } from './options.js';
import { ExtensionBodyEntry } from './extension_entry.js';
import { run, SPIFF } from './spiff_ext.js';

const NCNAME = /^[A-Za-z_][\w.-]*$/;

// The moddle element holding messageRef and the spiffworkflow extensions: the event's
// messageEventDefinition, or the send/receive task itself.
export function messageHolder(element) {
  const bo = getBusinessObject(element);
  if (isAny(bo, ['bpmn:SendTask', 'bpmn:ReceiveTask'])) {
    return bo;
  }
  if (!is(bo, 'bpmn:Event')) {
    return null;
  }
  return (bo.get('eventDefinitions') || []).find((d) => is(d, 'bpmn:MessageEventDefinition')) || null;
}

function isThrowing(element) {
  return isAny(element, ['bpmn:IntermediateThrowEvent', 'bpmn:EndEvent', 'bpmn:SendTask']);
}

export function messageEntries(element) {
  const holder = messageHolder(element);
  if (!holder) {
    return [];
  }
  const name = { id: 'ql-message', component: MessageName, isEdited: isTextFieldEntryEdited, holder };
  if (isThrowing(element)) {
    return [name, { id: 'ql-message-payload', component: Payload, isEdited: isTextAreaEntryEdited, holder }];
  }
  return [name, { id: 'ql-message-variable', component: Variable, isEdited: isTextFieldEntryEdited, holder }];
}

// Whether an element other than `holder` (another event or task, a message flow) refers to `message`.
function isReferencedElsewhere(message, holder, elementRegistry) {
  return elementRegistry.getAll().some((shape) => {
    const other = is(shape, 'bpmn:MessageFlow') ? getBusinessObject(shape) : messageHolder(shape);
    return other && other !== holder && other.get('messageRef') === message;
  });
}

// Commands pointing `holder` at the message called `name`: an existing message of that name, else a new
// one (its id the name when that is free). The message it leaves is dropped when nothing else uses it.
function linkMessage(element, holder, name, { bpmnFactory, elementRegistry, definitions }) {
  const rootElements = definitions.get('rootElements');
  const current = holder.get('messageRef');
  const existing = name && rootElements.find((e) => is(e, 'bpmn:Message') && e.get('name') === name);
  if (current && existing === current) {
    return [];
  }
  const update = (moddleElement, properties) => ({
    cmd: 'element.updateModdleProperties',
    context: { element, moddleElement, properties },
  });
  const orphaned = current && !isReferencedElsewhere(current, holder, elementRegistry);
  let message = existing || null;
  let roots = orphaned ? rootElements.filter((e) => e !== current) : rootElements;
  if (name && !message) {
    const idFree = NCNAME.test(name) && !definitions.$model.ids.assigned(name);
    message = bpmnFactory.create('bpmn:Message', idFree ? { id: name, name } : { name });
    message.$parent = definitions;
    const at = orphaned ? rootElements.indexOf(current) : rootElements.length;
    roots = [...roots.slice(0, at), message, ...roots.slice(at)];
  }
  const commands = [];
  if (roots !== rootElements) {
    commands.push(update(definitions, { rootElements: roots }));
  }
  commands.push(update(holder, { messageRef: message || undefined }));
  return commands;
}

function MessageName({ element, id, holder }) {
  const bpmnFactory = useService('bpmnFactory');
  const elementRegistry = useService('elementRegistry');
  const bpmnjs = useService('bpmnjs');
  const commandStack = useService('commandStack');
  const debounce = useService('debounceInput');
  const translate = useService('translate');
  const { messages } = useOptions();
  const known = messages.length ? `已知消息：${messages.join('、')}。` : '';
  return jsx(TextFieldEntry, {
    id,
    element,
    label: '消息',
    description: `消息名称；抛出与捕获两端的名称相同即相连（可跨流程）。${known}`,
    getValue: () => {
      const message = holder.get('messageRef');
      return (message && message.get('name')) || '';
    },
    setValue: (value) => {
      const name = (value || '').trim();
      const definitions = bpmnjs.getDefinitions();
      run(commandStack, linkMessage(element, holder, name, { bpmnFactory, elementRegistry, definitions }));
    },
    validate: (value) => (value && /\s/.test(value.trim()) ? '消息名称不能包含空格' : null),
    debounce,
    translate,
  });
}

function Payload(props) {
  return ExtensionBodyEntry({
    ...props,
    type: SPIFF.messagePayload,
    label: '消息内容',
    description: '随消息发送的 Python 表达式，如 {"case_no": case_no}，或保存内容的变量。',
    rows: 2,
    monospace: true,
  });
}

function Variable(props) {
  return ExtensionBodyEntry({
    ...props,
    type: SPIFF.messageVariable,
    label: '接收变量',
    description: '收到的消息内容存入的流程变量名。',
    component: TextFieldEntry,
    clean: (value) => (value || '').trim(),
  });
}
