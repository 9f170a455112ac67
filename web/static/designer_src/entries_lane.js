// Lane → 角色: the lane's name is the role's lane name, which the engine hands the lane's tasks by.

import { isSelectEntryEdited, SelectEntry } from '@bpmn-io/properties-panel';
import { jsx } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import { useOptions } from './options.js';

const UNKNOWN = '?';

export function laneEntries(element) {
  return is(element, 'bpmn:Lane')
    ? [{ id: 'ql-role', component: LaneRole, isEdited: isSelectEntryEdited }]
    : [];
}

function LaneRole({ element, id }) {
  const modeling = useService('modeling');
  const translate = useService('translate');
  const { roles } = useOptions();
  const name = getBusinessObject(element).get('name') || '';
  const role = roles.find((r) => r.lane === name);

  const getValue = () => (role ? role.code : name ? UNKNOWN : '');
  const setValue = (code) => {
    const chosen = roles.find((r) => r.code === code);
    if (chosen && chosen.lane !== name) {
      modeling.updateProperties(element, { name: chosen.lane });
    }
  };
  const getOptions = () => {
    const options = [{ value: '', label: '（请选择角色）', disabled: true }];
    if (!role && name) {
      options.push({ value: UNKNOWN, label: `${name}（不是已知角色）`, disabled: true });
    }
    return options.concat(roles.map((r) => ({ value: r.code, label: `${r.zh}（${r.code}）` })));
  };
  return jsx(SelectEntry, {
    id,
    element,
    label: '角色',
    description: '泳道的名称就是角色的泳道名：泳道里的任务交给该角色办理。',
    getValue,
    setValue,
    getOptions,
    translate,
  });
}
