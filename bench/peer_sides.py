"""`make peer` (bench/peer.py): the two sides over HTTP, one kept-alive client connection each, and how each
API starts an instance and completes a task."""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass, field
from typing import Any


class HTTPError(RuntimeError):
    pass


class Client:
    """One kept-alive connection; the same code drives both servers."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port, self.headers = port, headers
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        payload = None if body is None else json.dumps(body).encode()
        headers = {**self.headers, **({"Content-Type": "application/json"} if payload else {})}
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            raise
        if response.status >= 300:
            raise HTTPError(f"{method} {path}: HTTP {response.status} {raw[:300]!r}")
        return json.loads(raw) if raw else None


@dataclass
class Side:
    name: str
    port: int
    headers: dict[str, str]
    start_parts: list[tuple[float, ...]] = field(default_factory=list)

    def client(self) -> Client:
        return Client(self.port, self.headers)

    def start(self, client: Client) -> tuple[int, Any]:
        raise NotImplementedError

    def complete(self, client: Client, instance: int, task: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError


class Qinglian(Side):
    def start(self, client: Client) -> tuple[int, Any]:
        answer = client.call("POST", "/api/v1/instances", {"process": "peer", "data": {}})
        return answer["id"], _first(answer["ready_tasks"])

    def complete(self, client: Client, instance: int, task: Any, data: dict[str, Any]) -> Any:
        return _first(client.call("POST", f"/api/v1/tasks/{task}/complete", {"data": data})["ready_tasks"])


class SpiffArena(Side):
    MODEL = "bench:peer"  # process group `bench`, model `peer`, as the API spells it

    def start(self, client: Client) -> tuple[int, Any]:
        t0 = time.perf_counter()
        instance = client.call("POST", f"/v1.0/process-instances/{self.MODEL}")["id"]
        t1 = time.perf_counter()
        client.call("POST", f"/v1.0/process-instances/{self.MODEL}/{instance}/run")
        t2 = time.perf_counter()
        tasks = client.call("GET", f"/v1.0/tasks?process_instance_id={instance}")["results"]
        self.start_parts.append((t1 - t0, t2 - t1, time.perf_counter() - t2))
        return instance, tasks[0]["task_guid"] if tasks else None

    def complete(self, client: Client, instance: int, task: Any, data: dict[str, Any]) -> Any:
        answer = client.call("PUT", f"/v1.0/tasks/{instance}/{task}", data)
        return answer["id"] if answer.get("type") == "UserTask" and answer.get("state") == "READY" else None


def _first(tasks: list[dict[str, Any]]) -> Any:
    return tasks[0]["id"] if tasks else None
