"""Issue 8's figures: the dashboard, the case list with a filter and with a Chinese search, at 10,000 and
at 100,000 cases, as median server time (the Flask app answering in-process, templates included).

A county registers some 10,000 cases a year; a database of 100,000 holds ten years. So each block of
10,000 clones is dated a year further back: the dashboard's default period (this year) sees the same
year of work at either size, while the lists and the search run over everything stored.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select

from engine import Engine
from engine.db.models import HumanTask, ProcessInstance
from engine.db.oversight import CaseFact, CaseText
from engine.search import index_body

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
SOURCES = (
    "信访举报",
    "信访举报",
    "信访举报",
    "巡视巡察移交",
    "审计移交",
    "上级交办",
    "监督检查发现",
    "网络舆情",
)
WAYS = ("THHX", "THHX", "CBHS", "ZCDC", "YYLJ")
MEASURES = ("TXTH", "PPJY", "ZLJC", "JM-T", "ZZCL", "DJQ", "DJZ", "YS", "LJ")
UNITS = ("FGJ", "CZJ", "ZRJ", "ZJJ", "JTJ", "NYJ", "SJJ", "SPJ", "JYJ", "WJJ", "RSJ", "DHZ", "XLZ")
OFFICES = ("JC1", "JC2", "PZ1", "PZ2")
PER_YEAR = 10_000
BATCH = 5_000


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def grow(engine: Engine, total: int, today: date, seed: int = 8) -> None:
    """Add cloned clues (with their case text, facts and, for the running ones, an open step) until
    `total` cases are stored; block k of 10,000 is dated k years back."""
    rng = random.Random(seed)
    with engine.ctx.db.transaction() as session:
        have = session.scalar(select(func.count(ProcessInstance.id))) or 0
        model = session.scalars(select(ProcessInstance).order_by(ProcessInstance.id).limit(1)).one()  # real
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == model.id).limit(1)).one()
        next_id = (session.scalar(select(func.max(ProcessInstance.id))) or 0) + 1
        columns = [c.key for c in ProcessInstance.__table__.columns if c.key != "id"]
        task_columns = [c.key for c in HumanTask.__table__.columns if c.key not in ("id", "instance_id")]
        for start in range(have, total, BATCH):
            rows, texts, facts, tasks = [], [], [], []
            for n in range(start, min(start + BATCH, total)):
                cid = next_id + n - have
                day = today - timedelta(days=(n // PER_YEAR) * 365 + rng.randrange(330))
                at = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
                person, unit, office = _name(rng), rng.choice(UNITS), rng.choice(OFFICES)
                running = n < PER_YEAR and n % 2 == 0  # the active half of this year's cases (about 5,000)
                key = f"B-{cid}"
                row = {c: getattr(model, c) for c in columns}
                row.update(
                    id=cid, business_key=key, title=f"{key} {person}", subject_name=person, unit_id=unit
                )
                row.update(handling_office=office, status="running" if running else "completed")
                rows.append({**row, "started_at": at, "updated_at": at})
                snippets = [
                    f"{key} {person}",
                    key,
                    person,
                    rng.choice(("同意。", "同意函询。", "请核实后报批。")),
                ]
                texts.append(
                    {"instance_id": cid, "content": "\n".join(snippets), "body": index_body(snippets)}
                )
                facts += _facts(rng, cid, person, unit, day)
                if running:
                    tasks.append({**{c: getattr(task, c) for c in task_columns}, "instance_id": cid,
                                  "status": "ready", "unit_id": office, "assignee_id": None,
                                  "due_date": day + timedelta(days=rng.randrange(-20, 40))})  # fmt: skip
            session.execute(insert(ProcessInstance), rows)
            session.execute(insert(CaseText), texts)
            session.execute(insert(CaseFact), facts)
            if tasks:
                session.execute(insert(HumanTask), tasks)


def _facts(rng: random.Random, cid: int, person: str, unit: str, day: date) -> list[dict]:
    base = {
        "instance_id": cid,
        "person": person,
        "unit_id": unit,
        "label": "",
        "due": None,
        "done_at": None,
        "num": None,
    }
    out = [
        {**base, "kind": "clue", "key": "", "code": rng.choice(SOURCES), "at": day},
        {**base, "kind": "disposal", "key": "1", "code": rng.choice(WAYS), "at": day + timedelta(days=20)},
    ]
    if rng.random() < 0.3:
        served = day + timedelta(days=30)
        recent = day > date.today() - timedelta(days=60)  # the letters of the last two months await replies
        answered = None if recent else served + timedelta(days=rng.randrange(10, 30))
        due, num = served + timedelta(days=21), 15.0 if answered else None
        inquiry = {"kind": "inquiry", "key": "1", "code": "countersigned", "at": served, "due": due}
        out.append({**base, **inquiry, "done_at": answered, "num": num})
    if rng.random() < 0.5:
        out.append(
            {
                **base,
                "kind": "measure",
                "key": "m",
                "code": rng.choice(MEASURES),
                "at": day + timedelta(days=60),
            }
        )
    return out


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def measure(client: object, url: str, rounds: int = 15) -> float:
    """Median milliseconds of GET `url` through the app (one warm-up first)."""
    client.get(url)  # type: ignore[attr-defined]
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        samples.append(time.perf_counter() - t0)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return _median_ms(samples)


def search_name(engine: Engine) -> str:
    """A two-character name that some of the stored cases concern (what a supervisor would search for)."""
    with engine.ctx.db.reading() as session:
        names = session.scalars(
            select(ProcessInstance.subject_name).where(ProcessInstance.id % 97 == 0).limit(500)
        )
        return next(n for n in names if re.fullmatch(r"\w\w", n or ""))
