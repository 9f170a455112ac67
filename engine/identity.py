"""Whistleblower identity sealed at rest (issue 11 #8, DOMAIN.md §9).

A reporter's name, contact and ID number are encrypted (AES-GCM) the moment a form hands them to the
engine, so the workflow state, the search text and every copy of the case data hold only a token:
`sealed:<key id>:<keyed hash>:<ciphertext>`. The audit trail, which can never be rewritten, keeps the
keyed hash alone (`keyed:<hash>`): it still proves what was entered, to whoever holds the audit key and
the name, but no key can turn it back into the name. 信访室 sees the fields decrypted; everyone else sees
【保密】.

The keys live in a key ring outside the database (instance/identity.keys, 0600, or the file named by
QINGLIAN_IDENTITY_KEYS), one `<id> <hex>` line per key, the last one sealing. `qinglian keys rotate`
adds a key, re-seals every token under it in one transaction and then drops the old keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SEALED_FIELDS = frozenset({"reporter_name", "reporter_contact", "reporter_id_no"})
MASK = "【保密】"
KEY_FILE = "identity.keys"
TOKEN = re.compile(r"sealed:([0-9a-f]{8}):([0-9a-f]{32}):([A-Za-z0-9_-]+)")
KEYED = re.compile(r"keyed:[0-9a-f]{32}")
_AAD = b"qinglian reporter identity"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class KeyRing:
    """The identity keys, read from their file (again whenever another process changed it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._keys: dict[str, bytes] = {}

    def keys(self) -> dict[str, bytes]:
        """Key id -> key, oldest first; the file is made with one random key on first use."""
        if not self.path.exists():
            self._write({_new_id(): secrets.token_bytes(32)}, exclusive=True)
        stat = self.path.stat()
        if (stat.st_mtime_ns, stat.st_size) != self._stamp:
            lines = self.path.read_text(encoding="ascii").split("\n")
            self._keys = {kid: bytes.fromhex(key) for kid, key in (ln.split() for ln in lines if ln.strip())}
            self._stamp = (stat.st_mtime_ns, stat.st_size)
        return self._keys

    def current(self) -> tuple[str, bytes]:
        kid = list(self.keys())[-1]
        return kid, self._keys[kid]

    def add(self) -> str:
        """A new sealing key; the old ones stay until `keep_only`."""
        kid = _new_id()
        self._write({**self.keys(), kid: secrets.token_bytes(32)})
        return kid

    def keep_only(self, kid: str) -> None:
        self._write({kid: self.keys()[kid]})

    def _write(self, keys: dict[str, bytes], exclusive: bool = False) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        text = "".join(f"{kid} {key.hex()}\n" for kid, key in keys.items())
        if exclusive:
            try:
                descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it at the same moment
                return
            with os.fdopen(descriptor, "w", encoding="ascii") as file:
                file.write(text)
            return
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(text)
        os.replace(temporary, self.path)  # a reader sees the old ring or the new one


def _new_id() -> str:
    return secrets.token_hex(4)


class Sealer:
    """Seals and opens the identity fields of case data."""

    def __init__(self, ring: KeyRing, hash_key: bytes) -> None:
        self.ring = ring
        self._hash_key = hmac.new(hash_key, b"reporter identity", hashlib.sha256).digest()

    def keyed_hash(self, field: str, value: str) -> str:
        message = f"{field}\n{value}".encode()
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()[:32]

    def seal_value(self, field: str, value: str, digest: str | None = None) -> str:
        kid, key = self.ring.current()
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(key).encrypt(nonce, value.encode("utf-8"), _AAD)
        return f"sealed:{kid}:{digest or self.keyed_hash(field, value)}:{_b64(nonce + sealed)}"

    def open_value(self, token: str) -> str | None:
        """The plain value of a token; None when it is no token or its key is gone."""
        found = TOKEN.fullmatch(token)
        key = self.ring.keys().get(found.group(1)) if found else None
        if found is None or key is None:
            return None
        raw = _unb64(found.group(3))
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], _AAD).decode("utf-8")
        except InvalidTag:
            return None

    def seal(self, data: dict[str, Any]) -> dict[str, Any]:
        """`data` with every identity field a token (values already sealed are kept)."""
        return {k: self.seal_value(k, v) if k in SEALED_FIELDS and _plain(v) else v for k, v in data.items()}

    def reveal(self, data: dict[str, Any]) -> dict[str, Any]:
        """`data` with the identity fields decrypted (for 信访室); what cannot be opened stays masked."""
        return {
            k: (self.open_value(v) or MASK) if isinstance(v, str) and _is_secret(v) else v
            for k, v in data.items()
        }


def _plain(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and not _is_secret(value)


def _is_secret(value: str) -> bool:
    return bool(TOKEN.fullmatch(value) or KEYED.fullmatch(value))


def masked(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the identity fields (and any token) shown as 【保密】."""
    return {
        k: MASK if v and (k in SEALED_FIELDS or (isinstance(v, str) and _is_secret(v))) else v
        for k, v in data.items()
    }


def for_audit(serialized: str) -> str:
    """A serialized audit payload with every sealed token reduced to its keyed hash (tokens hold no
    character JSON escapes, so they are found in the text as they are in the values)."""
    return TOKEN.sub(lambda found: f"keyed:{found.group(2)}", serialized)


def sealer_for(instance_dir: str, keys_file: str, audit_key: bytes) -> Sealer:
    path = Path(keys_file) if keys_file else Path(instance_dir) / KEY_FILE
    return Sealer(KeyRing(path), audit_key)
