// The lists the page hands to QinglianDesigner.create(): roles, form files, DMN decisions, messages.
//
// They reach the properties panel as the modeler's `qinglian` config (service 'config.qinglian').

import { useService } from 'bpmn-js-properties-panel';

const strings = (list) => (Array.isArray(list) ? list.filter((x) => typeof x === 'string' && x) : []);

/** The page's options, with every list present (possibly empty) and form files by their base name. */
export function normalizeOptions(options = {}) {
  const roles = (Array.isArray(options.roles) ? options.roles : [])
    .filter((role) => role && role.code)
    .map((role) => ({
      code: String(role.code),
      zh: role.zh || role.lane || role.code,
      lane: role.lane || role.zh,
    }));
  const forms = [...new Set(strings(options.forms).map((name) => name.split('/').pop()))].sort();
  return {
    roles,
    forms,
    schemas: forms.filter((name) => name.endsWith('.schema.json')),
    uiSchemas: forms.filter((name) => name.endsWith('.uischema.json')),
    decisions: [...new Set(strings(options.decisions))].sort(),
    messages: [...new Set(strings(options.messages))].sort(),
  };
}

/** Inside a panel entry: the page's options. */
export function useOptions() {
  return useService('config.qinglian', false) || normalizeOptions();
}

/**
 * Select options for `names`, with the current `value` kept (and marked) when it is not among them,
 * so selecting an element never shows a different value than the file holds.
 */
export function namedOptions(names, value, { none = '（无）', unknown = '（不在本流程中）' } = {}) {
  const options = [{ value: '', label: none }, ...names.map((name) => ({ value: name, label: name }))];
  if (value && !names.includes(value)) {
    options.push({ value, label: `${value}${unknown}` });
  }
  return options;
}
