// Reading and writing the spiffworkflow extension elements the engine reads, as commands.
//
// Every writer returns a list of `element.updateModdleProperties` commands for the properties panel's
// `properties-panel.multi-command-executor`, so one edit is one undo step and fires one
// commandStack.changed. An empty value removes the extension element (and an emptied
// <spiffworkflow:properties> / <bpmn:extensionElements> with it), so a cleared field leaves no trace.

import { is } from 'bpmn-js/lib/util/ModelUtil';

export const SPIFF = {
  instructions: 'spiffworkflow:InstructionsForEndUser',
  properties: 'spiffworkflow:Properties',
  property: 'spiffworkflow:Property',
  preScript: 'spiffworkflow:PreScript',
  postScript: 'spiffworkflow:PostScript',
  calledDecisionId: 'spiffworkflow:CalledDecisionId',
  messagePayload: 'spiffworkflow:MessagePayload',
  messageVariable: 'spiffworkflow:MessageVariable',
};

export function extensionValues(moddleElement) {
  const extensionElements = moddleElement.get('extensionElements');
  return extensionElements ? extensionElements.get('values') : [];
}

export function findExtension(moddleElement, type) {
  return extensionValues(moddleElement).find((value) => is(value, type));
}

/** The body text of the first `type` extension element of `moddleElement`, or ''. */
export function getExtensionBody(moddleElement, type) {
  const found = findExtension(moddleElement, type);
  return (found && found.get('value')) || '';
}

/** The `value` of <spiffworkflow:property name="…"> under <spiffworkflow:properties>, or ''. */
export function getSpiffProperty(moddleElement, name) {
  const properties = findExtension(moddleElement, SPIFF.properties);
  const property = properties && properties.get('properties').find((p) => p.get('name') === name);
  return (property && property.get('value')) || '';
}

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

// Commands that give `moddleElement` the extension values `values` (creating or dropping the
// <bpmn:extensionElements> container as needed).
function setExtensionValues(element, moddleElement, values, bpmnFactory) {
  let extensionElements = moddleElement.get('extensionElements');
  if (!values.length) {
    return extensionElements ? [update(element, moddleElement, { extensionElements: undefined })] : [];
  }
  const commands = [];
  if (!extensionElements) {
    extensionElements = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    extensionElements.$parent = moddleElement;
    commands.push(update(element, moddleElement, { extensionElements }));
  }
  values.forEach((value) => {
    value.$parent = extensionElements;
  });
  commands.push(update(element, extensionElements, { values }));
  return commands;
}

/** Commands setting the body of the `type` extension element of `moddleElement` to `text`. */
export function setExtensionBody(element, moddleElement, type, text, bpmnFactory) {
  const values = extensionValues(moddleElement);
  const found = values.find((value) => is(value, type));
  if (text && found) {
    return [update(element, found, { value: text })];
  }
  if (text) {
    const created = bpmnFactory.create(type, { value: text });
    return setExtensionValues(element, moddleElement, [...values, created], bpmnFactory);
  }
  if (!found) {
    return [];
  }
  return setExtensionValues(element, moddleElement, values.filter((v) => v !== found), bpmnFactory);
}

/** Commands setting <spiffworkflow:property name=`name` value=`value`> (removing it when empty). */
export function setSpiffProperty(element, moddleElement, name, value, bpmnFactory) {
  const values = extensionValues(moddleElement);
  const properties = values.find((v) => is(v, SPIFF.properties));
  const list = properties ? properties.get('properties') : [];
  const property = list.find((p) => p.get('name') === name);
  if (value && property) {
    return [update(element, property, { value })];
  }
  if (value && properties) {
    const created = bpmnFactory.create(SPIFF.property, { name, value });
    created.$parent = properties;
    return [update(element, properties, { properties: [...list, created] })];
  }
  if (value) {
    const container = bpmnFactory.create(SPIFF.properties, { properties: [] });
    const created = bpmnFactory.create(SPIFF.property, { name, value });
    created.$parent = container;
    container.get('properties').push(created);
    return setExtensionValues(element, moddleElement, [...values, container], bpmnFactory);
  }
  if (!property) {
    return [];
  }
  const rest = list.filter((p) => p !== property);
  if (rest.length) {
    return [update(element, properties, { properties: rest })];
  }
  return setExtensionValues(element, moddleElement, values.filter((v) => v !== properties), bpmnFactory);
}

/** Run `commands` as one undoable step (nothing when the list is empty). */
export function run(commandStack, commands) {
  if (commands.length) {
    commandStack.execute('properties-panel.multi-command-executor', commands);
  }
}
