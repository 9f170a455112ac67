"""The roles of workflows/roles.toml: who may act on a lane, and whose tasks those are."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
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


@dataclass(frozen=True)
class RoleBook:
    """Every role, by code and by lane name."""

    roles: dict[str, Role]

    @classmethod
    def load(cls, path: Path) -> RoleBook:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(
            {
                code: Role(code=code, **{**spec, "sees": tuple(spec.get("sees", ()))})
                for code, spec in raw["roles"].items()
            }
        )

    def by_lane(self, lane: str | None) -> Role | None:
        return next((r for r in self.roles.values() if r.lane == lane), None)

    @property
    def lanes(self) -> frozenset[str]:
        return frozenset(r.lane for r in self.roles.values())

    def monitors(self) -> frozenset[str]:
        return frozenset(code for code, r in self.roles.items() if r.monitor)

    def supervised_processes(self, codes: frozenset[str]) -> frozenset[str]:
        """The processes whose every case holders of these roles see (`sees` in roles.toml)."""
        return frozenset(p for code in codes if code in self.roles for p in self.roles[code].sees)

    def externals(self) -> frozenset[str]:
        return frozenset(code for code, r in self.roles.items() if r.external)
