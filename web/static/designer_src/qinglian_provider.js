// The "Qinglian" properties provider: Chinese groups editing what the engine reads.
//
// It runs after bpmn-js-properties-panel's BPMN provider (lower priority), puts its groups right
// after 常规 (General), replaces that provider's Timer and Message groups with its own (Python
// expressions, messages by name), and hands every group the translate service so the panel's own
// strings ("Section contains edits") are Chinese too. Its groups start open.

import { Group } from '@bpmn-io/properties-panel';

import { callActivityEntries, decisionEntries } from './entries_calls.js';
import { conditionEntries } from './entries_flow.js';
import { laneEntries } from './entries_lane.js';
import { messageEntries } from './entries_message.js';
import { prePostScriptEntries, scriptTaskEntries } from './entries_script.js';
import { timerEntries } from './entries_timer.js';
import { userTaskEntries } from './entries_user_task.js';

const LOW_PRIORITY = 500;
// built-in group id -> the group of ours that replaces it
const REPLACES = { timer: 'ql-timer', message: 'ql-message' };

// [group id, label, entries(element)]
const GROUPS = [
  ['ql-role', '角色', laneEntries],
  ['ql-form', '表单', userTaskEntries],
  ['ql-script', '脚本', scriptTaskEntries],
  ['ql-decision', '决策表', decisionEntries],
  ['ql-call', '调用活动', callActivityEntries],
  ['ql-condition', '条件', conditionEntries],
  ['ql-timer', '定时器', timerEntries],
  ['ql-message', '消息', messageEntries],
  ['ql-pre-post', '前置/后置脚本', prePostScriptEntries],
];

function QinglianPropertiesProvider(propertiesPanel, translate) {
  propertiesPanel.registerProvider(LOW_PRIORITY, this);
  this._translate = translate;
}

QinglianPropertiesProvider.$inject = ['propertiesPanel', 'translate'];

QinglianPropertiesProvider.prototype.getGroups = function (element) {
  const translate = this._translate;
  return (groups) => {
    const ours = GROUPS.map(([id, label, entries]) => ({
      id,
      label,
      component: Group,
      shouldOpen: true,
      entries: entries(element).map((entry) => ({ element, ...entry })),
    })).filter((group) => group.entries.length);
    const kept = groups.filter((group) => !ours.some((g) => g.id === REPLACES[group.id]));
    const at = kept.findIndex((group) => group.id === 'general') + 1;
    return [...kept.slice(0, at), ...ours, ...kept.slice(at)].map((group) => ({ translate, ...group }));
  };
};

export const QinglianPropertiesProviderModule = {
  __init__: ['qinglianPropertiesProvider'],
  qinglianPropertiesProvider: ['type', QinglianPropertiesProvider],
};
