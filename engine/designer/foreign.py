"""What a model drawn in another modeler (Camunda Modeler, Signavio, Trisotech, ADONIS, Yaoqiang …)
lacks to run here, found on its XML before the engine's parser stops at the first error: each reason in
Chinese, naming the file and the element."""

from __future__ import annotations

import re
from typing import Any

import tomlkit

from ..errors import Refused
from ..roles import RoleBook
from ..xmlsafe import parse_xml

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
_PROCESS_ID = re.compile(r"[A-Za-z_][\w\-]{0,63}", re.ASCII)
_OTHER_TOOLS = ("camunda.org", "camunda.io", "zeebe", "activiti", "flowable", "signavio", "trisotech")
_UNSUPPORTED = {
    "serviceTask": "服务任务没有可调用的操作（本系统不调用外部服务）；请改为脚本任务，或由用户任务办理",
    "sendTask": "发送任务不被本系统执行；请改为消息抛出事件（intermediateThrowEvent + 消息）",
    "receiveTask": "接收任务不被本系统执行；请改为消息捕获事件（intermediateCatchEvent + 消息）",
    "manualTask": "手工任务不会进入任何人的待办；请改为用户任务并指定表单",
    "dataStoreReference": "数据存储不被本系统读取：案件数据保存在流程变量和表单中",
    "complexGateway": "复杂网关不被本系统执行；请改用排他、包容或并行网关",
    "eventBasedGateway": "事件网关尚不被本系统支持；请改用边界事件",
}


def foreign_problems(name: str, root: Any, roles: RoleBook) -> list[str]:
    """Every reason the BPMN file `name` (an lxml root) cannot run here as drawn."""
    where = f"文件 {name}"
    processes = list(root.iter(f"{BPMN}process"))
    if root.tag != f"{BPMN}definitions" or not processes:
        return [f"{where}: 不是 BPMN 2.0 模型（没有 bpmn:definitions / bpmn:process）"]
    problems = [
        f'{where}, 元素 {p.get("id")}: 流程未标记为可执行（isExecutable="true"），本系统只运行可执行流程'
        for p in processes
        if p.get("isExecutable") != "true"
    ]
    for tag, reason in _UNSUPPORTED.items():
        found = root.iter(f"{BPMN}{tag}")
        problems += [f"{where}, 元素 {e.get('id')}（{_name(e)}）: {reason}" for e in found]
    problems += _lane_problems(where, root, roles)
    problems += _task_problems(where, root)
    problems += _other_tool_problems(where, root)
    return list(dict.fromkeys(problems))


def _name(element: Any) -> str:
    return element.get("name") or "未命名"


def _lane_problems(where: str, root: Any, roles: RoleBook) -> list[str]:
    problems = [
        f"{where}, 元素 {lane.get('id')}（{_name(lane)}）: 泳道名称不是 roles.toml 中的角色泳道，"
        f"无人办理其中的步骤；可用的泳道：{'、'.join(sorted(roles.lanes))}"
        for lane in root.iter(f"{BPMN}lane")
        if lane.get("name") not in roles.lanes
    ]
    in_lanes = {ref.text for ref in root.iter(f"{BPMN}flowNodeRef")}
    problems += [
        f"{where}, 元素 {task.get('id')}（{_name(task)}）: 用户任务不在任何泳道中，无人办理"
        for task in root.iter(f"{BPMN}userTask")
        if task.get("id") not in in_lanes
    ]
    return problems


def _task_problems(where: str, root: Any) -> list[str]:
    problems = []
    for task in root.iter(f"{BPMN}userTask"):
        own = {e.get("name") for e in task.iter(f"{SPIFF}property")}
        if "formJsonSchemaFilename" not in own:
            problems.append(
                f"{where}, 元素 {task.get('id')}（{_name(task)}）: 用户任务没有表单（formJsonSchemaFilename）"
            )
    for task in root.iter(f"{BPMN}scriptTask"):
        script = task.find(f"{BPMN}script")
        if script is None or not (script.text or "").strip():
            problems.append(f"{where}, 元素 {task.get('id')}（{_name(task)}）: 脚本任务没有脚本")
        elif (task.get("scriptFormat") or "python").lower() not in ("python", "python3"):
            problems.append(
                f"{where}, 元素 {task.get('id')}（{_name(task)}）: 脚本语言 {task.get('scriptFormat')} "
                "不被支持，本系统只运行 Python 脚本"
            )
    return list(dict.fromkeys(problems))


def _other_tool_problems(where: str, root: Any) -> list[str]:
    """Another modeler's extensions (camunda:assignee, zeebe:taskDefinition …) do nothing here: say so, so
    a designer does not believe the assignee or form they set there is in force."""
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        if any(tool in element.tag for tool in _OTHER_TOOLS):
            owner = next((a for a in element.iterancestors() if a.get("id")), None)
            found.append((owner, element.tag.split("}")[-1]))
        keys = [key for key in element.attrib if any(t in key for t in _OTHER_TOOLS)]
        found += [(element, key.split("}")[-1]) for key in keys]
    return [
        f"{where}, 元素 {owner.get('id') if owner is not None else '?'}: 其他建模工具的设置 {what} "
        "不被本系统读取"
        "（办理人由泳道的角色决定，表单由表单文件决定）"
        for owner, what in found
    ]


def new_process_sources(name: str, text: str) -> tuple[str, dict[str, str]]:
    """A process's first files from one BPMN file drawn elsewhere: the file, and a process.toml naming
    its first process (the designer completes both until validation is clean)."""
    root = parse_xml(text.encode("utf-8"), name).getroot()
    process = next(root.iter(f"{BPMN}process"), None)
    if process is None or not process.get("id"):
        raise Refused(f"文件 {name}: 不是 BPMN 2.0 模型（没有 bpmn:process）")
    process_id = process.get("id")
    if not _PROCESS_ID.fullmatch(process_id):
        rule = "须以字母开头，只含字母、数字、下划线或连字符，最长 64 个字符"
        raise Refused(f"文件 {name}: 流程标识 {process_id[:80]!r} {rule}")
    toml = tomlkit.document()
    title = process.get("name") or process_id
    toml.add("process", {"id": process_id, "name_zh": title, "name_en": process_id, "start_roles": []})
    text_toml = tomlkit.dumps(toml) + "# start_roles：哪些角色可以登记本流程的案件（roles.toml 的角色代码）\n"
    return process_id, {"process.bpmn": text, "process.toml": text_toml}
