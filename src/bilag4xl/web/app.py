"""The secretariat's web page over a round folder (`bilag4xl serve`).

Every page is a thin call into the round's library (`bilag4xl.round`), the same calls the
command line makes: uploads go through `receive` (the ledger), the status is `round_status`,
downloads are made by `merge_round`, `annex_bytes`, `feedback_for` and the template writer.
The library is synchronous, so its calls run in the thread pool; the pages are plain HTML
forms, and `static/upload.js` only adds upload progress. Everything the page needs ships in
the package (no CDN: municipal networks are often closed).

Pages: `/` the round, `/indsend` upload, `/forvaltning/{slug}` a department's files.
Downloads: `/samlet.xlsx`, `/data.csv` and `/data.xlsx` (`bilag4xl export`), `/bilag4.docx`,
`/skabeloner.zip`, `/skabelon/{slug}.xlsx`, `/modtaget/{id}/fil`, `/modtaget/{id}/rettelser.xlsx`.
JSON: `GET /api/status` (the `status --json` document), `POST /api/submissions` (field `files`;
`validate --json`'s shape).

A department's link (`bilag4xl links`), without the access token: `/indberet/{token}` its page
and upload, `/indberet/{token}/skabelon.xlsx`, `/indberet/{token}/rettelser/{id}.xlsx` (its own
files only). Nothing else of the round is reachable through a link.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from bilag4xl.errors import Bilag4xlError
from bilag4xl.export import export_round
from bilag4xl.record import Entry
from bilag4xl.round.annex import annex_bytes
from bilag4xl.round.consolidated import merge_round
from bilag4xl.round.delivery import Upload
from bilag4xl.round.feedback import feedback_for
from bilag4xl.round.folder import (
    ROUND_FILE,
    Round,
    drafts_history,
    exclude,
    history,
    include,
    open_round,
    received,
    round_status,
    stored_file,
)
from bilag4xl.round.links import department_for_token, link_for
from bilag4xl.round.receive import Channel, receipts_data, receive
from bilag4xl.round.templates import department_template, templates_zip
from bilag4xl.status import DepartmentStatus, RoundStatus
from bilag4xl.textsafe import for_terminal, slug
from bilag4xl.web import views
from bilag4xl.web.guard import Guard, Scope, Settings, check_form, csrf_token

HERE = Path(__file__).parent
EXPORTS = {"csv": "text/csv; charset=utf-8", "xlsx": views.XLSX}  # `bilag4xl export`'s table
MAX_FILES = 2000  # a folder of a whole round, with room to spare
LOG = logging.getLogger("bilag4xl.web")
STATUS_DA = {
    400: "Forespørgslen kunne ikke læses.",
    404: "Siden findes ikke.",
    405: "Siden kan ikke bruges sådan (forkert metode).",
}


class Refused(Exception):
    """A request the page answers with a Danish message and a status code."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def create_app(root: str | Path, settings: Settings | None = None) -> Starlette:
    """The web page over the round folder `root` (which must exist: see `round.init_round`)."""
    page = Page(Path(root), settings or Settings())
    open_round(page.root)  # fail now, not at the first request
    app = Starlette(
        routes=page.routes(),
        middleware=[
            Middleware(Guard, settings=page.settings, refuse=page.refusal, links=page.link_owner)
        ],
        exception_handlers={
            Refused: page.on_refused,
            Bilag4xlError: page.on_library_error,
            HTTPException: page.on_http_error,
            Exception: page.on_crash,
        },
    )
    app.state.page = page
    return app


class Page:
    """The routes over one round folder, with its templates and settings."""

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root
        self.settings = settings
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            finalize=_shown,
        )
        env.filters.update(
            when=views.when, day=views.day, days=views.days, size=views.size, bare=views.bare
        )
        self.templates = Jinja2Templates(env=env)
        self._round: tuple[tuple[int, int], Round] | None = None

    def routes(self) -> list[Route | Mount]:
        return [
            Route("/", self.round_page, name="round"),
            Route("/indsend", self.upload_page, methods=["GET"]),
            Route("/indsend", self.upload_form, methods=["POST"]),
            Route("/forvaltning/{slug}", self.department_page),
            Route("/modtaget/{entry:int}/udelad", self.exclude_form, methods=["POST"]),
            Route("/modtaget/{entry:int}/medtag", self.include_form, methods=["POST"]),
            Route("/modtaget/{entry:int}/fil", self.received_file),
            Route("/modtaget/{entry:int}/rettelser.xlsx", self.feedback_file),
            Route("/skabelon/{slug}.xlsx", self.template_file),
            Route("/skabeloner.zip", self.templates_file),
            Route("/samlet.xlsx", self.consolidated_file),
            Route("/bilag4.docx", self.annex_file),
            Route("/data.{fmt:str}", self.export_file),
            Route("/api/status", self.api_status),
            Route("/api/submissions", self.api_submissions, methods=["POST"]),
            Route("/indberet/{token}", self.link_page, methods=["GET"]),
            Route("/indberet/{token}", self.link_upload, methods=["POST"]),
            Route("/indberet/{token}/skabelon.xlsx", self.link_template),
            Route("/indberet/{token}/rettelser/{entry:int}.xlsx", self.link_feedback),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]

    def round(self) -> Round:
        """The round, read again when its runde.toml changed (someone may edit it meanwhile)."""
        info = (self.root / ROUND_FILE).stat()
        key = (info.st_mtime_ns, info.st_size)
        if self._round is None or self._round[0] != key:
            self._round = (key, open_round(self.root))
        return self._round[1]

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        rnd = self.round()
        context.update(
            title=rnd.spec.round.title,
            csrf=csrf_token(request),
            limit=self.settings.max_upload,
            link=request.scope.get("state", {}).get("link"),
            secretariat=bool(request.scope.get("state", {}).get("secretariat")),
        )
        response = self.templates.TemplateResponse(request, name, context, status_code=status)
        response.headers.update(_PAGE_HEADERS)
        return response

    # ------------------------------------------------------------------ pages

    def round_page(self, request: Request) -> Response:
        data = views.round_view(round_status(self.round()))
        return self.render(request, "round.html", status_data=data)

    def upload_page(self, request: Request) -> Response:
        return self.render(request, "upload.html", result=None)

    async def upload_form(self, request: Request) -> Response:
        async with self._form(request, checked=True) as form:
            result = await self._receive(form, "side")
        return self.render(request, "upload.html", result=result)

    def department_page(self, request: Request) -> Response:
        rnd = self.round()
        status = round_status(rnd)
        wanted = request.path_params["slug"]
        found = next((d for d in status.departments if slug(d.name) == wanted), None)
        if found is None:
            raise Refused(404, f"Runden har ingen forvaltning '{wanted}'.")
        current = found.last.entry if found.last else None
        rows = views.history_view(history(rnd, found.name), current)
        department = {**found.to_dict(), "state_da": found.state_da}
        written = views.drafts_view(drafts_history(rnd, found.name))
        own_link = link_for(rnd, found.name)  # to give the department, when base_url is set
        return self.render(
            request,
            "department.html",
            department=department,
            rows=rows,
            slug=wanted,
            written=written,
            own_link=own_link,
        )

    async def exclude_form(self, request: Request) -> Response:
        async with self._form(request, checked=True) as form:
            reason = str(form.get("begrundelse") or "")
        number = self._entry(request).id
        entry = await run_in_threadpool(exclude, self.round(), number, reason)
        return self._back_to(entry.department)

    async def include_form(self, request: Request) -> Response:
        async with self._form(request, checked=True):
            pass
        entry = await run_in_threadpool(include, self.round(), self._entry(request).id)
        return self._back_to(entry.department)

    # ------------------------------------------------------------------ a department's link

    def link_page(self, request: Request) -> Response:
        return self._link_render(request, None)

    async def link_upload(self, request: Request) -> Response:
        async with self._form(request, checked=True) as form:
            result = await self._receive(form, "link", _department(request))
        return self._link_render(request, result)

    def _link_render(self, request: Request, result: dict[str, Any] | None) -> Response:
        """The department's own page: its deadline, template or rettelsesark, upload, files."""
        rnd = self.round()
        name = _department(request)
        found = _status_of(round_status(rnd), name)
        current = found.last.entry if found.last else None
        department = {**found.to_dict(), "state_da": found.state_da, "entry": current}
        return self.render(
            request,
            "link.html",
            department=department,
            rows=views.history_view(history(rnd, name), current),
            written=views.drafts_view(drafts_history(rnd, name)),
            contact=rnd.spec.round.contact,
            contact_email=rnd.spec.round.contact_email,
            result=result,
        )

    def link_template(self, request: Request) -> Response:
        filename, data = department_template(self.round(), _department(request))
        return _download(data, filename, views.XLSX)

    def link_feedback(self, request: Request) -> Response:
        entry = self._entry(request)
        if (entry.department or "").casefold() != _department(request).casefold():
            raise Refused(404, f"Forvaltningen har ingen modtaget fil nr. {entry.id}.")
        name, data = feedback_for(self.round(), entry.id)
        return _download(data, name, views.XLSX)

    def link_owner(self, token: str) -> str | None:
        """The department a link's token is for (asked by the guard, before anything else)."""
        return department_for_token(self.round(), token)

    # ------------------------------------------------------------------ downloads

    def _entry(self, request: Request) -> Entry:
        """The received file the address names; an unknown number is a page not found."""
        number = request.path_params["entry"]
        try:
            return received(self.round(), number)
        except Bilag4xlError as exc:
            raise Refused(404, f"Der er ingen modtaget fil nr. {number}.") from exc

    def received_file(self, request: Request) -> Response:
        rnd = self.round()
        entry = self._entry(request)
        return Response(
            stored_file(rnd, entry),
            media_type="application/octet-stream",
            headers=_download_headers(entry.original_name),
        )

    def feedback_file(self, request: Request) -> Response:
        name, data = feedback_for(self.round(), self._entry(request).id)
        return _download(data, name, views.XLSX)

    def template_file(self, request: Request) -> Response:
        spec = self.round().spec
        wanted = request.path_params["slug"]
        found = next((d.name for d in spec.round.departments if slug(d.name) == wanted), None)
        if found is None:
            raise Refused(404, f"Runden har ingen forvaltning '{wanted}'.")
        filename, data = department_template(self.round(), found)
        return _download(data, filename, views.XLSX)

    def templates_file(self, request: Request) -> Response:
        return _download(templates_zip(self.round()), "skabeloner.zip", views.ZIP)

    def consolidated_file(self, request: Request) -> Response:
        """Made now from each department's current file; refused (with the problems) while a
        current file has errors, unless asked for with them (`?med_fejl=1`)."""
        rnd = self.round()
        with tempfile.TemporaryDirectory(prefix="bilag4xl-samlet-") as tmp:
            # a GET changes nothing: the round's own samlet.xlsx is `bilag4xl merge`'s
            target = Path(tmp) / rnd.consolidated.name
            allow = request.query_params.get("med_fejl") == "1"
            run = merge_round(rnd, target, allow_invalid=allow)
            if run.written is not None:
                return _download(run.written.read_bytes(), run.written.name, views.XLSX)
        names = views.sent_names(rnd.current())
        issues = [
            {**i.to_dict(), "name": names.get(i.file, Path(i.file).name)}
            for i in run.merged.report.errors
            if i.code != "merge.invalid"  # names --allow-invalid; the page offers a link
        ]
        return self.render(request, "consolidated.html", status=409, issues=issues)

    def annex_file(self, request: Request) -> Response:
        data, _ = annex_bytes(self.round(), "docx")
        return _download(data, "bilag4.docx", views.DOCX)

    def export_file(self, request: Request) -> Response:
        """The round's values as one long table for Power Query, pandas or R (`bilag4xl
        export`): `/data.csv` (UTF-8 with a BOM) or `/data.xlsx` (an Excel table)."""
        fmt = request.path_params["fmt"]
        if fmt not in EXPORTS:
            raise Refused(404, "Tabellen kan hentes som data.csv eller data.xlsx.")
        data, _ = export_round(self.round(), fmt)
        return _download(data, f"bilag4_data.{fmt}", EXPORTS[fmt])

    # ------------------------------------------------------------------ JSON

    def api_status(self, request: Request) -> Response:
        return JSONResponse(round_status(self.round()).to_dict())

    async def api_submissions(self, request: Request) -> Response:
        async with self._form(request) as form:
            return JSONResponse(await self._receive(form, "side"))

    # ------------------------------------------------------------------ uploads

    @contextlib.asynccontextmanager
    async def _form(self, request: Request, checked: bool = False) -> AsyncIterator[FormData]:
        """The posted form (its files spooled by the parser, closed afterwards); a page's form
        must carry this browser's form token."""
        try:
            form = await request.form(max_files=MAX_FILES, max_fields=MAX_FILES)
        except HTTPException as exc:  # the parser's own words are English
            LOG.info("form refused: %s", exc.detail)
            raise Refused(
                400,
                "Formularen kunne ikke læses (for mange filer, eller den blev afbrudt "
                f"undervejs). Højst {MAX_FILES} filer ad gangen.",
            ) from exc
        try:
            if checked and not check_form(request, form):
                raise Refused(
                    403,
                    "Formularen er for gammel eller kom ikke fra denne side. Hent siden igen, "
                    "og prøv igen.",
                )
            yield form
        finally:
            await form.close()

    async def _receive(
        self, form: FormData, channel: Channel, department: str | None = None
    ) -> dict[str, Any]:
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and _chosen(f)]
        if not uploads:
            raise Refused(400, "Vælg en eller flere filer (.xlsx, .xlsm eller .zip).")
        return await run_in_threadpool(self._take, uploads, channel, department)

    def _take(
        self, uploads: list[UploadFile], channel: Channel, department: str | None
    ) -> dict[str, Any]:
        """Each upload is read where the form parser spooled it (no copy of it is written
        anywhere), under the name it was sent; what it unpacks to counts against the upload
        limit, so a small .zip can not bring in more than a large upload could. Through a
        link, only the link's department's files are taken."""
        given = [Upload(u.filename or f"fil{n}", u.file) for n, u in enumerate(uploads)]
        receipts = receive(
            self.round(),
            given,
            limit=self.settings.max_upload,
            channel=channel,
            department=department,
        )
        return receipts_data(receipts)

    def _back_to(self, department: str | None) -> Response:
        return RedirectResponse(views.department_url(department) if department else "/", 303)

    # ------------------------------------------------------------------ errors

    def refusal(self, scope: Scope, status: int, message: str) -> Response:
        """A Danish answer: JSON for the API, a page otherwise (also used by the guard)."""
        if str(scope.get("path", "")).startswith("/api/"):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        state = scope.get("state", {})
        html = self.templates.get_template("error.html").render(
            message=message,
            status=status,
            title=self._title(state),
            link=state.get("link"),
            secretariat=bool(state.get("secretariat")),
        )
        return Response(html, status, media_type="text/html", headers=_PAGE_HEADERS)

    def _title(self, state: dict[str, Any]) -> str:
        """The round's title, only for those who may see the round (or their own part)."""
        if not (state.get("secretariat") or state.get("department")):
            return "bilag4xl"
        try:
            return self.round().spec.round.title
        except (OSError, Bilag4xlError):
            return "bilag4xl"

    async def on_refused(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refused)
        return self.refusal(request.scope, exc.status, exc.message)

    async def on_library_error(self, request: Request, exc: Exception) -> Response:
        return self.refusal(request.scope, 400, str(exc))

    async def on_http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = STATUS_DA.get(exc.status_code, "Forespørgslen kunne ikke gennemføres.")
        return self.refusal(request.scope, exc.status_code, message)

    async def on_crash(self, request: Request, exc: Exception) -> Response:
        LOG.exception("unexpected error at %s", request.url.path)
        return self.refusal(
            request.scope,
            500,
            "Der skete en uventet fejl. Intet er gået tabt: modtagne filer ligger i rundens "
            "mappe. Prøv igen, og kontakt den, der driver siden, hvis fejlen bliver ved.",
        )


_PAGE_HEADERS = {
    "content-security-policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


def _download(data: bytes, filename: str, media_type: str) -> Response:
    return Response(data, media_type=media_type, headers=_download_headers(filename))


def _download_headers(filename: str) -> dict[str, str]:
    """A file to save, never to show: an uploaded file may hold anything."""
    return {
        "content-disposition": views.disposition(filename),
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
    }


def _department(request: Request) -> str:
    """The department whose link the guard let in (never taken from the address itself)."""
    department = request.scope.get("state", {}).get("department")
    if not department:
        raise Refused(404, STATUS_DA[404])
    return str(department)


def _status_of(status: RoundStatus, name: str) -> DepartmentStatus:
    found = next((d for d in status.departments if d.name.casefold() == name.casefold()), None)
    if found is None:
        raise Refused(404, f"Runden har ingen forvaltning '{name}'.")
    return found


def _shown(value: object) -> object:
    """Every text a page shows: a control character or one that reorders text (a file
    name sent with U+202E) is shown as a symbol, never obeyed."""
    return for_terminal(value) if isinstance(value, str) else value


def _chosen(upload: UploadFile) -> bool:
    """A file input left empty still sends a part without a name or content."""
    return bool(upload.filename) or bool(upload.size)
