"""Blob answers of the GitHub API, read no further than the file size limit allows.

Why: the tree listing says each file's size, and files over --max-file-size are refused unread;
but the blob answer itself was read whole into memory (PyGithub reads every answer whole) before
its decoded bytes were measured, so an API (or a proxy) that listed a blob as small and served a
huge body, or an endless one, cost the run that much memory and transfer. Here the requester's
connection streams blob answers and stops reading past what a file of the limit can take.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from ontosync.sources import FileTooLarge, SourceFile, git_blob_sha
from ontosync.sources.github_tarball import Transient

BLOB_PATH = re.compile(r"/git/blobs/[^/?#]+(?:[?#]|$)")
CHUNK = 64 * 1024


def answer_cap(limit: int) -> int:
    """The most bytes a blob answer of a file of `limit` bytes takes: its base64 (4 per 3 bytes),
    GitHub's newline every 60 characters, written `\\n` in JSON (two), and the other fields."""
    return (limit + 2) // 3 * 4 * 62 // 60 + CHUNK


class BlobCap:
    """The limit blob answers are read to (`limit`: decoded bytes; set before each blob request)."""

    def __init__(self, limit: int):
        self.limit = limit

    @classmethod
    def installed(cls, requester: Any, limit: int) -> BlobCap:
        """A cap of `limit` bytes on `requester`'s blob answers (see `install`)."""
        cap = cls(limit)
        cap.install(requester)
        return cap

    def install(self, requester: Any) -> bool:
        """Have PyGithub's `requester` stream blob answers and read them through `read` (other answers
        as before). Through the PyGithub internal `repeats_read_first` uses: False where it is absent."""
        cls = getattr(requester, "_Requester__connectionClass", None)
        if not isinstance(cls, type) or not callable(getattr(cls, "getresponse", None)):
            return False
        cap = self

        class CappingBlobs(cls):  # type: ignore[misc, valid-type]
            def getresponse(self):
                session = getattr(self, "session", None)
                if session is None or not BLOB_PATH.search(str(getattr(self, "url", ""))):
                    return super().getresponse()
                streamed, session.stream = session.stream, True
                try:
                    response = super().getresponse()
                finally:
                    session.stream = streamed
                cap.read(response.response)
                return response

        requester._Requester__connectionClass = CappingBlobs
        return True

    def read(self, answer: Any) -> None:
        """The streamed `answer`'s body read up to `answer_cap`, kept as requests keeps a body read;
        past it, the connection closed and FileTooLarge (its size not known: more than the limit)."""
        most, got, size = answer_cap(self.limit), [], 0
        try:
            for chunk in answer.iter_content(CHUNK):
                got.append(chunk)
                size += len(chunk)
                if size > most:
                    raise FileTooLarge(None, self.limit)
        except BaseException:
            answer.close()  # (unread: the connection cannot be reused)
            raise
        answer._content, answer._content_consumed = b"".join(got), True


def blob_bytes(answer: Any, sf: SourceFile) -> bytes:
    """The bytes of a blob answer for `sf`, checked against its sha: Transient (asked again) when
    the answer is not a base64 blob or does not hash to it."""
    if not isinstance(answer, dict) or answer.get("encoding") != "base64" or answer.get("content") is None:
        raise Transient(f"blob of {sf.path} came without base64 content")
    try:
        raw = base64.b64decode(answer["content"])
    except (binascii.Error, ValueError):
        raise Transient(f"blob of {sf.path} is not valid base64") from None
    if git_blob_sha(raw) != sf.blob_sha:
        raise Transient(f"blob of {sf.path} does not hash to {sf.blob_sha}")
    return raw
