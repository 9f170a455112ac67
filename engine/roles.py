"""The roles of workflows/roles.toml: who may act on a lane, and whose tasks those are."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Role:
    code: str
    zh: str
    en: str
    lane: str
    scope: str  # county | unit | person
    unit_var: str | None = None
    person_var: str | None = None
    monitor: bool = False
    external: bool = False
    sees: tuple[str, ...] = ()  # processes whose every case this role supervises (e.g. DF: inspections)
    sees_office: bool = False  # holders supervise the cases their unit handles (承办室: its own cases)
    sees_unit: tuple[str, ...] = ()  # processes whose cases about the holder's own unit they supervise


@dataclass(frozen=True)
class Scope:
    """Which cases a person supervises (dashboard, case list, interventions): the whole county, the
    processes an office runs, the cases their office handles, their own unit's cases of some processes."""

    county: bool = False
    processes: frozenset[str] = frozenset()
    office: str | None = None
    unit: str | None = None
    unit_processes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RoleBook:
    """Every role, by code and by lane name."""

    roles: dict[str, Role]
    need_to_know: frozenset[str] = frozenset()  # confidentiality levels only participants may see
    interventions: dict[str, frozenset[str]] = field(default_factory=dict)  # kind -> roles that may
    calendar_editors: frozenset[str] = frozenset()  # roles that keep the working-day calendar's overrides
    designers: frozenset[str] = frozenset()  # roles that edit, check and deploy procedures (/designer)
    administrators: frozenset[str] = frozenset()  # roles that also force a deploy and migrate cases

    @classmethod
    def load(cls, path: Path) -> RoleBook:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        roles = {
            code: Role(
                code=code,
                **{
                    **spec,
                    "sees": tuple(spec.get("sees", ())),
                    "sees_unit": tuple(spec.get("sees_unit", ())),
                },
            )
            for code, spec in raw["roles"].items()
        }
        interventions = {k: frozenset(v) for k, v in raw.get("interventions", {}).items()}
        return cls(
            roles,
            frozenset(raw.get("need_to_know", ())),
            interventions,
            frozenset(raw.get("calendar_editors", ())),
            frozenset(raw.get("designer", {}).get("design", ())),
            frozenset(raw.get("designer", {}).get("administer", ())),
        )

    def by_lane(self, lane: str | None) -> Role | None:
        return next((r for r in self.roles.values() if r.lane == lane), None)

    @property
    def lanes(self) -> frozenset[str]:
        return frozenset(r.lane for r in self.roles.values())

    def scope(self, codes: frozenset[str], unit: str | None, case_file: bool = False) -> Scope | None:
        """What holders of these roles in `unit` supervise; None: no supervisor page is theirs. With
        `case_file`, only what the office's own staff supervise: people outside the office (a unit's
        party secretary) get figures and list rows, never the case file (roles.toml, DOMAIN.md §9)."""
        held = [
            self.roles[c] for c in codes if c in self.roles and not (case_file and self.roles[c].external)
        ]
        county = any(r.monitor for r in held)
        processes = frozenset(p for r in held for p in r.sees)
        office = unit if unit and any(r.sees_office for r in held) else None
        unit_processes = frozenset(p for r in held for p in r.sees_unit) if unit else frozenset()
        if not (county or processes or office or unit_processes):
            return None
        return Scope(county, processes, office, unit if unit_processes else None, unit_processes)

    def outside(self, codes: frozenset[str]) -> bool:
        """True for a person outside the office: every role they hold is external (a person concerned,
        a unit's people); they have their own steps, never the case file."""
        return bool(codes) and codes <= self.externals()

    def externals(self) -> frozenset[str]:
        return frozenset(code for code, r in self.roles.items() if r.external)
