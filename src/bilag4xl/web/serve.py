"""What `bilag4xl serve` does before it hands the page to uvicorn: find or make the round,
decide how the page is guarded, and check that the address is free (so a port in use is one
Danish line, not a traceback from the server)."""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette

from bilag4xl.errors import Bilag4xlError
from bilag4xl.round.folder import ROUND_FILE, init_round
from bilag4xl.web.app import create_app
from bilag4xl.web.guard import Settings, is_loopback, new_token, weak_token


@dataclass(frozen=True)
class Serving:
    app: Starlette
    url: str  # what to open in a browser (with the token, when one is needed)
    made: bool  # the round folder was made now
    settings: Settings


def prepare(
    root: Path, host: str, port: int, token: str | None = None, max_upload_mb: int = 50
) -> Serving:
    """The page for `root` on host:port. Beyond loopback a token is always required (a new
    one unless given); a token given on loopback is required too. A short token is refused
    (an empty one would leave the round open)."""
    if token is not None and (why := weak_token(token)):
        raise Bilag4xlError(code="token-weak", why=why)
    made = open_or_make(root)
    check_free(host, port)
    if token is None and not is_loopback(host):
        token = new_token()
    settings = Settings(token, max_upload_mb * 2**20, loopback_only=is_loopback(host))
    return Serving(create_app(root, settings), url(host, port, settings.token), made, settings)


def open_or_make(root: Path) -> bool:
    """Whether the round was made now: a missing (or empty) folder becomes a round with the
    built-in spec, as `bilag4xl init` makes it; another folder is left alone."""
    if (root / ROUND_FILE).is_file():
        return False
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise Bilag4xlError(code="serve-not-a-round", path=root, round_file=ROUND_FILE)
    init_round(root)
    return True


def check_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            why = _BIND_DA.get(exc.errno or 0, exc.strerror or str(exc))
            raise Bilag4xlError(code="serve-cannot-listen", host=host, port=port, why=why) from exc


_BIND_DA = {
    errno.EADDRINUSE: "porten er optaget af et andet program",
    errno.EADDRNOTAVAIL: "adressen hører ikke til denne maskine",
    errno.EACCES: "porten kræver administratorrettigheder",
}


def url(host: str, port: int, token: str | None) -> str:
    shown = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
