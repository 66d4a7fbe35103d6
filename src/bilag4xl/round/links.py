"""A private link per department: `https://…/indberet/<token>` opens that department's page
of `bilag4xl serve` (its template, its upload, its files), and nothing else of the round.

Mails and templates must carry the link again and again, yet the ledger may leak (it is a file
in a shared folder), so the token is derived and never stored: HMAC-SHA256 of the round's
secret (`.bilag4xl/links.key`, readable by its owner only) over the department and the link's
generation. The ledger keeps the generation and the token's SHA-256; renewing a link raises the
generation, and the old token no longer matches anything.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bilag4xl.errors import Bilag4xlError, SpecError
from bilag4xl.round.folder import Round
from bilag4xl.round.ledger import STATE_DIR

SECRET_FILE = "links.key"
LINK_PATH = "/indberet/"
TOKEN_BYTES = 24  # 192 bits: 32 characters in the address
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass(frozen=True)
class DepartmentLink:
    department: str
    url: str

    def to_dict(self) -> dict[str, Any]:
        return {"department": self.department, "url": self.url}


def department_links(rnd: Round, base_url: str | None = None) -> list[DepartmentLink]:
    """Every department's link, in the round's order, under `base_url` (else the round's
    `base_url`); a department without one gets its first now."""
    base = _base(base_url or rnd.spec.round.base_url)
    names = [d.name for d in rnd.spec.round.departments]
    if not names:
        raise SpecError(code="round-no-departments")
    tokens = _tokens(rnd, names)
    return [DepartmentLink(name, base + tokens[name]) for name in names]


def renew_link(rnd: Round, department: str) -> str:
    """A new token for `department` (its old link stops working); returns the new token."""
    known = rnd.spec.round.department(department)
    if known is None:
        choices = ", ".join(d.name for d in rnd.spec.round.departments)
        raise SpecError(code="link-unknown-department", department=department, choices=choices)
    secret = round_secret(rnd.root)
    with rnd.ledger() as ledger:
        generation = ledger.links().get(known.name.casefold(), (0, ""))[0] + 1
        token = _token(secret, known.name, generation)
        ledger.set_link(known.name, generation, _digest(token))
    return token


def link_for(rnd: Round, department: str) -> str | None:
    """The department's link under the round's `base_url`; None when the round has no
    `base_url` or no such department (a mail then simply carries no link)."""
    known = rnd.spec.round.department(department)
    if known is None or not rnd.spec.round.base_url.strip():
        return None
    return _base(rnd.spec.round.base_url) + _tokens(rnd, [known.name])[known.name]


def department_for_token(rnd: Round, token: str) -> str | None:
    """The department whose current link carries `token` (None for any other token, an old
    one included). Every stored digest is compared, in constant time."""
    if not _TOKEN.fullmatch(token):
        return None
    given = _digest(token)
    with rnd.ledger() as ledger:
        kept = ledger.links()
    found = None
    for department, (_, digest) in kept.items():
        if hmac.compare_digest(given, digest):
            found = department
    known = rnd.spec.round.department(found) if found else None
    return known.name if known else None


def round_secret(root: Path) -> bytes:
    """The round's secret, made once (mode 0600); links are derived from it."""
    path = root / STATE_DIR / SECRET_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{SECRET_FILE}.{secrets.token_hex(6)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_hex(32).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            os.link(tmp, path)
        tmp.unlink()
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    secret = path.read_bytes().strip()
    if len(secret) < 32:
        raise Bilag4xlError(code="link-secret-damaged", path=path)
    return secret


def _tokens(rnd: Round, names: list[str]) -> dict[str, str]:
    """Each department's current token; the first generation is recorded for those without."""
    secret = round_secret(rnd.root)
    with rnd.ledger() as ledger:
        kept = ledger.links()
        out = {}
        for name in names:
            generation = kept.get(name.casefold(), (0, ""))[0]
            if generation == 0:
                generation = 1
                ledger.set_link(name, generation, _digest(_token(secret, name, generation)))
            out[name] = _token(secret, name, generation)
    return out


def _token(secret: bytes, department: str, generation: int) -> str:
    message = f"{generation}\n{department.casefold()}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).decode()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _base(base_url: str) -> str:
    """The address links start with ("https://host/sti" + "/indberet/")."""
    base = base_url.strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", base):
        given = f" (ikke {base_url!r})" if base else ""
        given_en = f" (not {base_url!r})" if base else ""
        raise SpecError(code="link-base-url", given=given, given_en=given_en)
    return base + LINK_PATH


def own_links(rnd: Round) -> Callable[[str], str | None]:
    """Each department's own link (`link_for`), said on its templates, rettelsesark and
    mails; None for every department while the round has no `base_url`. The round's links
    are worked out once, at the first one asked for (one ledger open, not one a department)."""
    if not rnd.spec.round.base_url.strip():
        return lambda department: None
    found: dict[str, str] = {}

    def link(department: str) -> str | None:
        if not found:
            found.update((d.department.casefold(), d.url) for d in department_links(rnd))
        return found.get(department.casefold())

    return link
