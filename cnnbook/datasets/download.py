"""Downloading one dataset file from its mirrors, through ``pooch``.

``pooch`` (the fetcher of SciPy's and scikit-image's data modules) does the transfer: HTTP with a
timeout, a progress bar on a terminal, the SHA-256 check, and the atomic write (a temporary file
in the target folder, renamed only when the hash matches). What this module adds:

* a size cap: a download never streams (much) more than the published size of the file, so a
  broken mirror cannot fill the disk before the checksum rejects the file;
* its own retry policy: only network errors are retried (0.5 s, 1 s, ... back-off), while a
  missing file (HTTP 4xx) or a wrong checksum moves on to the next mirror at once (``pooch``'s
  retries would repeat those too, sleeping 1 s, 2 s, ...);
* a bounded DNS look-up (a broken resolver may otherwise block far longer than the timeout),
  and hosts that failed are skipped for the remaining files, each skip reported;
* the permissions of a normal new file (``pooch``'s temporary file is private, mode 0600);
* clean-up of temporary files a killed download left behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from cnnbook.datasets.registry import MAX_DOWNLOAD_BYTES, IdxFile

__all__ = ["STALE_SECONDS", "Downloaded", "HostLog", "clean_stale", "download_file"]

#: A temporary download file not written to for this many seconds is a leftover and is removed.
STALE_SECONDS = 600.0

_CHUNK = 1 << 16


class _TooLarge(Exception):
    """The server sent more bytes than the file has."""


class _CappedWriter:
    """A binary file wrapper that refuses to grow beyond ``cap`` bytes."""

    def __init__(self, file, cap: int) -> None:
        self._file = file
        self._cap = cap
        self.size = 0

    def write(self, chunk: bytes) -> int:
        self.size += len(chunk)
        if self.size > self._cap:
            raise _TooLarge(f"the server sent more than the expected {self._cap:,} bytes; stopped")
        return self._file.write(chunk)

    def flush(self) -> None:
        self._file.flush()


def _downloader(cap: int, timeout: float):
    """A ``pooch`` downloader: ``pooch.HTTPDownloader`` writing through a size cap."""
    import pooch

    http = pooch.HTTPDownloader(
        progressbar=sys.stderr.isatty(),
        chunk_size=_CHUNK,
        timeout=timeout,
        headers={"User-Agent": "cnnbook"},
    )

    def download(url: str, output_file: str, pooch_object: object) -> None:
        with open(output_file, "w+b") as f:
            http(url, _CappedWriter(f, cap), pooch_object)

    return download


@contextlib.contextmanager
def _quiet_pooch() -> Iterator[None]:
    """Silence ``pooch``'s log (it writes "Downloading ..." to stderr, which pages must not)."""
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def _normal_permissions(path: Path) -> None:
    """Give ``path`` the mode a new file gets (0666 less the umask, usually 0644)."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)


def clean_stale(folder: Path) -> list[Path]:
    """Remove temporary download files in ``folder`` left by an interrupted download.

    ``pooch``'s temporary files (``tmp*``) and older ``*.part`` files that have not been written
    to for :data:`STALE_SECONDS` are removed; a download in progress (in another process) keeps
    writing and is left alone.

    Parameters
    ----------
    folder : pathlib.Path
        A dataset's cache folder (nothing else is expected there).

    Returns
    -------
    list of pathlib.Path
        The files removed.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> clean_stale(pathlib.Path(tempfile.mkdtemp()))
    []
    """
    removed = []
    now = time.time()
    for path in [*folder.glob("tmp*"), *folder.glob(".*.part")]:
        with contextlib.suppress(OSError):
            if path.is_file() and now - path.stat().st_mtime > STALE_SECONDS:
                path.unlink()
                removed.append(path)
    return removed


def _dns_problem(host: str, timeout: float) -> str | None:
    """None when ``host`` resolves within ``timeout`` seconds, else why not.

    ``socket.getaddrinfo`` ignores socket timeouts, and a broken resolver can block for long; the
    lookup therefore runs in a daemon thread that is waited for at most ``timeout`` seconds.
    """
    outcome: dict[str, OSError] = {}

    def lookup() -> None:
        try:
            socket.getaddrinfo(host, None)
        except OSError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=lookup, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        return f"DNS lookup of {host} gave no answer within {timeout:g} s"
    if "error" in outcome:
        return f"cannot resolve {host} ({outcome['error']})"
    return None


@dataclasses.dataclass
class HostLog:
    """Hosts that failed during one fetch, and why; they are not tried again for other files."""

    dead: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Downloaded:
    """The outcome of :func:`download_file`: the verified file (or None) and every failed try."""

    path: Path | None
    errors: tuple[str, ...]


def download_file(
    spec: IdxFile,
    mirrors: tuple[str, ...],
    folder: Path,
    *,
    timeout: float,
    retries: int,
    deadline: float | None = None,
    hosts: HostLog | None = None,
) -> Downloaded:
    """Download ``spec`` into ``folder`` from the first mirror that has a verified copy.

    Parameters
    ----------
    spec : IdxFile
        The file: name, SHA-256 and size of the published ``.gz``.
    mirrors : tuple of str
        Base URLs ending in ``/``, tried in order.
    folder : pathlib.Path
        The target folder (it exists).
    timeout : float
        Seconds a connection may stay silent.
    retries : int
        Further attempts per mirror after a network error.
    deadline : float, optional
        ``time.monotonic()`` after which no attempt is started.
    hosts : HostLog, optional
        Hosts that failed earlier in this fetch (skipped, with a line saying so); updated.

    Returns
    -------
    Downloaded
        ``path`` is ``folder / spec.filename`` when a verified copy landed; ``errors`` has one
        line per failed or skipped attempt, each starting with ``download <url>:``.

    Examples
    --------
    Without mirrors nothing is tried::

    >>> import pathlib, tempfile
    >>> from cnnbook.datasets import DATASETS
    >>> download_file(DATASETS["mnist"].test_labels, (), pathlib.Path(tempfile.mkdtemp()),
    ...               timeout=1, retries=0)
    Downloaded(path=None, errors=())
    """
    import pooch
    import requests

    hosts = hosts if hosts is not None else HostLog()
    cap = spec.size if spec.size is not None else MAX_DOWNLOAD_BYTES
    errors: list[str] = []
    for base in mirrors:
        url = urllib.parse.urljoin(base, spec.filename)
        host = urllib.parse.urlsplit(url).hostname or ""
        if host in hosts.dead:
            errors.append(f"download {url}: not tried, {host} failed earlier ({hosts.dead[host]})")
            continue
        reason = _dns_problem(host, timeout)
        if reason:
            hosts.dead[host] = reason
            errors.append(f"download {url}: {reason}")
            continue
        for attempt in range(retries + 1):
            if deadline is not None and time.monotonic() >= deadline:
                errors.append(f"download {url}: time budget used up; not tried")
                return Downloaded(None, tuple(errors))
            if attempt:
                time.sleep(0.5 * 2 ** (attempt - 1))
            try:
                with _quiet_pooch():
                    path = Path(
                        pooch.retrieve(
                            url,
                            f"sha256:{spec.sha256}",
                            fname=spec.filename,
                            path=folder,
                            downloader=_downloader(cap, timeout),
                        )
                    )
                _normal_permissions(path)
                return Downloaded(path, tuple(errors))
            except _TooLarge as exc:
                errors.append(f"download {url}: {exc}; discarded")
                break
            except ValueError:  # pooch: the SHA-256 of the complete download does not match
                errors.append(
                    f"download {url}: SHA-256 does not match {spec.sha256[:16]}...; discarded"
                )
                break  # a bad copy on this mirror stays bad: next mirror
            except requests.HTTPError as exc:
                status = exc.response.status_code if exc.response is not None else "?"
                errors.append(
                    f"download {url}: HTTP {status} "
                    f"{exc.response.reason if exc.response is not None else ''}"
                )
                if exc.response is None or exc.response.status_code < 500:
                    break
            except (OSError, requests.RequestException) as exc:
                errors.append(f"download {url}: {exc}")
                if attempt == retries:
                    hosts.dead[host] = str(exc)
    return Downloaded(None, tuple(errors))
