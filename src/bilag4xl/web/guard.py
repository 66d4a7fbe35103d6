"""What stands between the network and the round: one ASGI middleware, so no route can forget it.

In order, for every request:

* the Host header: served on loopback, only a loopback name is answered (a web page on
  another site cannot reach the round by pointing its own name at 127.0.0.1);
* a department's link (`/indberet/<token>/…`) is its own key: the token must be a current
  link's (`links`), wrong tokens from one address lock it out for a while, and a link takes only
  so many uploads a minute. Everything else but the package's own assets (`/static/`) needs
  the access token, when there is one (always when listening beyond loopback): `?token=`
  once (it sets a cookie and the address is cleaned), the cookie, or `Authorization: Bearer`,
  compared in constant time. Refused here, a request is answered before its body is read;
* a POST must come from a page of this server: a foreign `Origin` (or, without one,
  `Referer`) is refused. Forms also carry a per-browser token (double-submit cookie),
  checked by `check_form` once the form is read;
* the body may not exceed the upload limit: refused at once when its stated length is too
  big, and counted while it streams in (nothing is buffered beyond what the form parser
  spools to disk); a body that stops coming is answered with 408 after `body_timeout`;
* every answer says `X-Content-Type-Options: nosniff`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Refusal = Callable[[Scope, int, str], Response]
LinkLookup = Callable[[str], "str | None"]  # a link's token -> its department, or None

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
CSRF_COOKIE = "bilag4xl_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
DRAIN_MAX = 2**30  # read (and drop) at most this much of a refused body, so a browser sees the page
MIN_TOKEN = 16  # characters of an access token: a short one is guessed
LINK_PREFIX = "/indberet/"
THROTTLE_KEYS = 10_000  # addresses or links counted at once before the old ones are pruned
PUBLIC_PREFIX = "/static/"  # the package's own stylesheet and script: nothing of the round


def is_loopback(host: str) -> bool:
    """Whether `host` only reaches this machine (then no token is needed)."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(18)


def weak_token(token: str) -> str | None:
    """Why an access token is too weak to guard the round, or None."""
    if len(token) < MIN_TOKEN:
        return f"adgangskoden skal have mindst {MIN_TOKEN} tegn (den har {len(token)})"
    if len(set(token)) < 5:
        return "adgangskoden skal bestå af flere forskellige tegn"
    return None


@dataclass(frozen=True)
class Settings:
    """How the page is guarded. `token` None: no token asked (loopback only)."""

    token: str | None = None
    max_upload: int = 50 * 2**20
    loopback_only: bool = True  # answer only requests addressed to a loopback name
    body_timeout: float = 30.0  # seconds to wait for the next piece of a request body
    link_uploads_per_minute: int = 10  # through one department's link
    wrong_links: int = 3  # wrong link tokens from one address before it is locked out
    lockout: float = 600.0  # seconds


class TooLarge(Exception):
    """The request body grew past the upload limit while it streamed in."""


class TooSlow(Exception):
    """The request body stopped coming (a client holding the connection open)."""


class Throttle:
    """Counts events per key within a window (wrong link tokens per address, uploads per
    link); kept in memory: a restart forgets, which only helps the honest."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def full(self, key: str, now: float | None = None) -> bool:
        """Whether `key` has reached its limit within the window."""
        seen = self._seen.get(key)
        if not seen:
            return False
        now = time.monotonic() if now is None else now
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if not seen:
            del self._seen[key]
        return len(seen) >= self.limit

    def add(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if len(self._seen) >= THROTTLE_KEYS:  # many addresses: forget those whose window passed
            for old in [k for k, seen in self._seen.items() if seen[-1] <= now - self.window]:
                del self._seen[old]
        self._seen[key].append(now)


class Guard:
    """The middleware described in the module docstring."""

    def __init__(
        self, app: ASGIApp, settings: Settings, refuse: Refusal, links: LinkLookup
    ) -> None:
        self.app = app
        self.settings = settings
        self.refuse = refuse
        self.links = links
        # an address is locked out once `wrong_links` wrong tokens came within `lockout`
        self.wrong = Throttle(settings.wrong_links, settings.lockout)
        self.uploads = Throttle(settings.link_uploads_per_minute, 60.0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _nosniff(send)
        request = Request(scope)
        stranger = await self._stranger(request)
        if stranger is not None:  # answered at once: a stranger's body is never read
            stranger.headers["connection"] = "close"
            await stranger(scope, receive, send)
            return
        refusal = self._refusal(request)
        if refusal is not None:
            if request.headers.get("expect", "").lower() != "100-continue":
                await self._drain(receive)  # a client that asked first sends nothing more
            await refusal(scope, receive, send)
            return
        # authorised by then: a token in the address sets the cookie and leaves the address
        secretariat = scope.setdefault("state", {}).get("secretariat", False)
        welcome = secretariat and self.settings.token and request.method == "GET"
        if welcome and "token" in request.query_params:
            await self._welcome(request)(scope, receive, send)
            return
        csrf = request.cookies.get(CSRF_COOKIE) or ""
        cookies = []
        if not _well_formed(csrf):
            csrf = secrets.token_urlsafe(24)
            cookies.append(_cookie(CSRF_COOKIE, csrf, "Strict"))
        if (
            secretariat
            and self.settings.token
            and request.cookies.get(self._session_cookie(scope)) is None
        ):
            cookies.append(_cookie(self._session_cookie(scope), self._session(), "Lax"))
        scope.setdefault("state", {})["csrf"] = csrf
        await self._call(scope, receive, _with_cookies(send, cookies))

    # ------------------------------------------------------------------ the checks

    async def _stranger(self, request: Request) -> Response | None:
        """The answer to a request that may not reach the round (a wrong host, link or
        token), or None; a department's link marks the request as that department's."""
        scope = request.scope
        host = urlsplit("//" + request.headers.get("host", "localhost")).hostname or ""
        if self.settings.loopback_only and not is_loopback(host):
            return self.refuse(scope, 421, f"Siden svarer kun på adressen 127.0.0.1, ikke {host}.")
        path = str(scope.get("path", ""))
        if path.startswith(LINK_PREFIX):
            return await self._link(request, path[len(LINK_PREFIX) :].split("/", 1)[0])
        if path.startswith(PUBLIC_PREFIX) and request.method in ("GET", "HEAD"):
            return None
        if self.settings.token and not self._authorised(request):
            return self.refuse(
                scope,
                401,
                "Siden kræver adgangskoden (token), som blev vist, da serveren startede.",
            )
        scope.setdefault("state", {})["secretariat"] = True
        return None

    async def _link(self, request: Request, token: str) -> Response | None:
        """A department's link: a current one, from an address not locked out, within the
        uploads a link takes a minute."""
        scope = request.scope
        address = (scope.get("client") or ("?", 0))[0]
        minutes = round(self.settings.lockout / 60)
        if self.wrong.full(address):
            return self.refuse(
                scope,
                429,
                f"For mange forkerte links fra denne adresse. Prøv igen om {minutes} minutter, "
                "med linket fra mailen.",
            )
        department = await run_in_threadpool(self.links, token)
        if department is None:
            self.wrong.add(address)
            return self.refuse(
                scope,
                404,
                "Linket findes ikke eller er udløbet. Brug det seneste link fra mailen, eller "
                "bed sekretariatet om et nyt.",
            )
        if request.method == "POST":
            if self.uploads.full(token):
                return self.refuse(
                    scope,
                    429,
                    f"Højst {self.uploads.limit} indsendelser i minuttet gennem linket. Vent et "
                    "minut, og prøv igen.",
                )
            self.uploads.add(token)
        scope.setdefault("state", {}).update(department=department, link=LINK_PREFIX + token)
        return None

    def _refusal(self, request: Request) -> Response | None:
        scope = request.scope
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
            return self.refuse(
                scope,
                403,
                "Forespørgslen kom fra en anden side end denne og er "
                "afvist. Brug formularerne på siden selv.",
            )
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.settings.max_upload:
            return self.refuse(scope, 413, self.too_large())
        return None

    def _authorised(self, request: Request) -> bool:
        token = self.settings.token or ""
        given = _given_token(request)
        if given is not None:
            return hmac.compare_digest(given.encode(), token.encode())
        cookie = request.cookies.get(self._session_cookie(request.scope), "")
        return hmac.compare_digest(cookie.encode(), self._session().encode())

    def _session(self) -> str:
        """The cookie's value: derived from the token, so the cookie does not hold the token."""
        key = (self.settings.token or "").encode()
        return hmac.new(key, b"bilag4xl-session", hashlib.sha256).hexdigest()

    @staticmethod
    def _session_cookie(scope: Scope) -> str:
        """One cookie per port: two rounds served on one machine keep their own."""
        server = scope.get("server") or ("", 0)
        return f"bilag4xl_adgang_{server[1] or 0}"

    def _welcome(self, request: Request) -> Response:
        """The token was in the address: set the cookie and go to the same page without it."""
        query = urlencode([(k, v) for k, v in parse_qsl(request.url.query) if k != "token"])
        response = Response(
            status_code=303, headers={"location": request.url.path + (f"?{query}" if query else "")}
        )
        response.raw_headers.append(
            (b"set-cookie", _cookie(self._session_cookie(request.scope), self._session(), "Lax"))
        )
        return response

    def too_large(self) -> str:
        mb = self.settings.max_upload / 2**20
        return (
            f"Filerne fylder for meget: højst {mb:.0f} MB pr. indsendelse. Send dem i flere "
            "omgange, eller start serveren med et større --max-upload-mb."
        )

    # ------------------------------------------------------------------ the body

    async def _call(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the body while it streams; past the limit, answer 413 (if nothing was sent)."""
        seen = 0
        started = read_all = False

        async def counted() -> Message:
            nonlocal seen, read_all
            if read_all:  # past the body, receive() waits for a disconnect: no timeout
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.settings.body_timeout)
            except TimeoutError:
                raise TooSlow from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                read_all = not message.get("more_body", False)
                if seen > self.settings.max_upload:
                    raise TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except TooLarge:
            if started:
                raise
            if not read_all:  # past the end, receive() waits for the client to disconnect
                await self._drain(receive)
            await self.refuse(scope, 413, self.too_large())(scope, receive, send)
        except TooSlow:
            if started:
                raise
            refusal = self.refuse(
                scope,
                408,
                "Filerne kom for langsomt frem, og forbindelsen er lukket. Prøv igen, gerne "
                "med færre filer ad gangen.",
            )
            refusal.headers["connection"] = "close"
            await refusal(scope, receive, send)

    async def _drain(self, receive: Receive) -> None:
        """Read what is left of a refused body (up to DRAIN_MAX, while it keeps coming), so
        that the browser, still sending, reads the answer instead of a broken connection."""
        read = 0
        while read <= DRAIN_MAX:
            try:
                message = await asyncio.wait_for(receive(), self.settings.body_timeout)
            except TimeoutError:
                return
            if message["type"] != "http.request":
                return
            read += len(message.get("body", b""))
            if not message.get("more_body", False):
                return


def check_form(request: Request, form: FormData) -> bool:
    """Whether a posted form carries this browser's token (the double-submit cookie)."""
    expected = request.cookies.get(CSRF_COOKIE, "")
    given = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not isinstance(given, str) or not _well_formed(expected):
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def csrf_token(request: Request) -> str:
    return str(request.scope.get("state", {}).get("csrf", ""))


def _given_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.query_params.get("token")


def _same_origin(request: Request) -> bool:
    """A POST from a page of this server, or from a program (which sends neither header)."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return True
    here = request.headers.get("host", "")  # a proxy may end TLS: the scheme may differ
    return urlsplit(source).netloc.lower() == here.lower()


def _well_formed(token: str) -> bool:
    return 20 <= len(token) <= 100 and token.replace("-", "").replace("_", "").isalnum()


def _cookie(name: str, value: str, same_site: str) -> bytes:
    cookie: SimpleCookie = SimpleCookie()
    cookie[name] = value
    cookie[name]["path"] = "/"
    cookie[name]["httponly"] = True
    cookie[name]["samesite"] = same_site
    return cookie.output(header="").strip().encode("latin-1")


def _nosniff(send: Send) -> Send:
    """Every answer, a static file or a redirect too, says what it is and nothing else."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [
                h for h in message.get("headers", []) if h[0].lower() != b"x-content-type-options"
            ]
            message = {**message, "headers": [*headers, (b"x-content-type-options", b"nosniff")]}
        await send(message)

    return sending


def _with_cookies(send: Send, cookies: list[bytes]) -> Send:
    if not cookies:
        return send

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            headers += [(b"set-cookie", c) for c in cookies]
            message = {**message, "headers": headers}
        await send(message)

    return sending
