"""The Jinja sandbox for templates over case data (documents, a step's instructions, step titles).

`row.items` reads the row's field `items`, not the method of dict: case data are plain dicts whose
fields may be named like dict's methods (the monthly 通报's 到期事项 column is `items`), and Jinja's
`.` looks for an attribute first — it printed “<built-in method items of dict object at 0x…>”.
"""

from __future__ import annotations

from typing import Any

from jinja2.sandbox import SandboxedEnvironment


class DataSandbox(SandboxedEnvironment):
    """A sandboxed environment in which a dict's own keys come before its methods."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)
