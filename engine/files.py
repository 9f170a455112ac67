"""Attachments stored by the SHA-256 of their content, type-checked by content, never overwritten."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import filetype

from .errors import InvalidSubmission

ALLOWED = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "image/png": "png",
    "image/jpeg": "jpg",
}


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    mime: str


def sniff(content: bytes) -> str:
    """The MIME type the content really has, if it is one we accept; InvalidSubmission otherwise."""
    kind = filetype.guess(content)
    if kind is None or kind.mime not in ALLOWED:
        raise InvalidSubmission({"file": "文件类型不被接受：仅限 PDF、DOCX、PNG、JPEG（按内容识别）"})
    return str(kind.mime)


def store(files_dir: Path, content: bytes) -> StoredFile:
    """Write the content once under its hash; an identical upload reuses the stored copy."""
    mime = sniff(content)
    digest = hashlib.sha256(content).hexdigest()
    target = path_of(files_dir, digest)
    if not target.exists():
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.link(tmp, target)  # fails rather than overwrite if another writer won the race
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return StoredFile(digest, len(content), mime)


def path_of(files_dir: Path, sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 hex digest")
    return files_dir / sha256[:2] / sha256
