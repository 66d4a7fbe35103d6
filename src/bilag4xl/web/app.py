"""The secretariat's web page over a round folder (`bilag4xl serve`).

Every page is a thin call into the round's library (`bilag4xl.round.folder`), the same calls the
command line makes: uploads go through `receive` (the ledger), the status is `round_status`,
downloads are made by `merge_round`, `annex_bytes`, `feedback_for` and the template writer.
The library is synchronous, so its calls run in the thread pool; the pages are plain HTML
forms, and `static/upload.js` only adds upload progress. Everything the page needs ships in
the package (no CDN: municipal networks are often closed).

Pages: `/` the round, `/indsend` upload, `/forvaltning/{slug}` a department's files.
Downloads: `/samlet.xlsx`, `/bilag4.docx`, `/skabeloner.zip`, `/skabelon/{slug}.xlsx`,
`/modtaget/{id}/fil`, `/modtaget/{id}/rettelser.xlsx`. JSON: `GET /api/status` (the
`status --json` document), `POST /api/submissions` (field `files`; `validate --json`'s shape).
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from bilag4xl.errors import Bilag4xlError
from bilag4xl.round.folder import (
    ROUND_FILE,
    Round,
    annex_bytes,
    drafts_history,
    exclude,
    feedback_for,
    history,
    include,
    merge_round,
    open_round,
    receipts_data,
    receive,
    received,
    round_status,
    stored_path,
    templates_zip,
)
from bilag4xl.template.writer import slug, template_bytes, template_filename
from bilag4xl.web import views
from bilag4xl.web.guard import Guard, Scope, Settings, check_form, csrf_token

HERE = Path(__file__).parent
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
        middleware=[Middleware(Guard, settings=page.settings, refuse=page.refusal)],
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
            Route("/api/status", self.api_status),
            Route("/api/submissions", self.api_submissions, methods=["POST"]),
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
            title=rnd.spec.round.title, csrf=csrf_token(request), limit=self.settings.max_upload
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
            result = await self._receive(form)
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
        return self.render(
            request,
            "department.html",
            department=department,
            rows=rows,
            slug=wanted,
            written=written,
        )

    async def exclude_form(self, request: Request) -> Response:
        async with self._form(request, checked=True) as form:
            reason = str(form.get("begrundelse") or "")
        number = request.path_params["entry"]
        entry = await run_in_threadpool(exclude, self.round(), number, reason)
        return self._back_to(entry.department)

    async def include_form(self, request: Request) -> Response:
        async with self._form(request, checked=True):
            pass
        entry = await run_in_threadpool(include, self.round(), request.path_params["entry"])
        return self._back_to(entry.department)

    # ------------------------------------------------------------------ downloads

    def received_file(self, request: Request) -> Response:
        rnd = self.round()
        entry = received(rnd, request.path_params["entry"])
        return FileResponse(
            stored_path(rnd, entry),
            media_type="application/octet-stream",
            headers=_download_headers(entry.original_name),
        )

    def feedback_file(self, request: Request) -> Response:
        name, data = feedback_for(self.round(), request.path_params["entry"])
        return _download(data, name, views.XLSX)

    def template_file(self, request: Request) -> Response:
        spec = self.round().spec
        wanted = request.path_params["slug"]
        found = next((d.name for d in spec.round.departments if slug(d.name) == wanted), None)
        if found is None:
            raise Refused(404, f"Runden har ingen forvaltning '{wanted}'.")
        return _download(template_bytes(spec, found), template_filename(spec, found), views.XLSX)

    def templates_file(self, request: Request) -> Response:
        return _download(templates_zip(self.round()), "skabeloner.zip", views.ZIP)

    def consolidated_file(self, request: Request) -> Response:
        """Made now from each department's current file; refused (with the problems) while a
        current file has errors, unless asked for with them (`?med_fejl=1`)."""
        rnd = self.round()
        run = merge_round(rnd, allow_invalid=request.query_params.get("med_fejl") == "1")
        if run.written is None:
            names = views.sent_names(rnd.current())
            issues = [
                {**i.to_dict(), "name": names.get(i.file, Path(i.file).name)}
                for i in run.merged.report.errors
                if i.code != "merge.invalid"  # names --allow-invalid; the page offers a link
            ]
            return self.render(request, "consolidated.html", status=409, issues=issues)
        return _download(run.written.read_bytes(), run.written.name, views.XLSX)

    def annex_file(self, request: Request) -> Response:
        data, _ = annex_bytes(self.round(), "docx")
        return _download(data, "bilag4.docx", views.DOCX)

    # ------------------------------------------------------------------ JSON

    def api_status(self, request: Request) -> Response:
        return JSONResponse(round_status(self.round()).to_dict())

    async def api_submissions(self, request: Request) -> Response:
        async with self._form(request) as form:
            return JSONResponse(await self._receive(form))

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

    async def _receive(self, form: FormData) -> dict[str, Any]:
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and _chosen(f)]
        if not uploads:
            raise Refused(400, "Vælg en eller flere filer (.xlsx, .xlsm eller .zip).")
        return await run_in_threadpool(self._take, uploads)

    def _take(self, uploads: list[UploadFile]) -> dict[str, Any]:
        """Each upload is written to a private folder under a generated name; its own name
        only names it (`receive` keeps it as the name it was sent under)."""
        with tempfile.TemporaryDirectory(prefix="bilag4xl-web-") as tmp:
            names: dict[Path, str] = {}
            for n, upload in enumerate(uploads):
                target = Path(tmp) / f"{n}{_suffix(upload.filename or '')}"
                with target.open("wb") as out:
                    shutil.copyfileobj(upload.file, out, 2**20)
                names[target] = upload.filename or target.name
            return receipts_data(receive(self.round(), list(names), names=names))

    def _back_to(self, department: str | None) -> Response:
        return RedirectResponse(views.department_url(department) if department else "/", 303)

    # ------------------------------------------------------------------ errors

    def refusal(self, scope: Scope, status: int, message: str) -> Response:
        """A Danish answer: JSON for the API, a page otherwise (also used by the guard)."""
        if str(scope.get("path", "")).startswith("/api/"):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        html = self.templates.get_template("error.html").render(
            message=message, status=status, title=self._title()
        )
        return Response(html, status, media_type="text/html", headers=_PAGE_HEADERS)

    def _title(self) -> str:
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


def _chosen(upload: UploadFile) -> bool:
    """A file input left empty still sends a part without a name or content."""
    return bool(upload.filename) or bool(upload.size)


def _suffix(name: str) -> str:
    """The sender's file ending, when it is a plain one (it decides how `receive` reads the
    file: a workbook or a .zip); never anything else of the name."""
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""
