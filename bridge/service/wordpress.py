"""What the WordPress plugin (integrations/wordpress/) asks of the service, in WordPress's shapes.

WordPress core's privacy tools (Tools › Export / Erase Personal Data) call each registered
exporter and eraser page by page through admin-ajax.php; the plugin's exporter and eraser are
thin: they forward the page to these endpoints and hand the answer back as it comes.

- `POST /v1/requests/verified`: register a request the customer confirmed through WordPress's
  e-mail link (`verified_by: "wordpress"`, WordPress's request id as `reference`); it is
  registered *and* marked verified (method `wordpress`), an audit event like a manual check.
  Only an authenticated client may claim it; the same reference twice gives the same request.
- `GET /v1/requests/{id}/export?page=N`: the processors' records of a verified access request in
  WordPress's exporter shape, `PAGE_RECORDS` records a page: page 1 collects afresh (a package
  recorded for the request, as `export --request` makes one), later pages read that package.
- `POST /v1/requests/{id}/erase?page=N`: page 1 erases (once: a request already erased is not
  erased again), every page reports one company in WordPress's eraser shape, its messages
  naming what is kept and until when, read back from the erasure's journal.

No answer holds the address; the records themselves go to the client that registered the
request, which is what an access request is for.
"""

from __future__ import annotations

import math
import zipfile
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from bridge.app import App
from bridge.core.models import DataPackage, Record, SourceResult
from bridge.core.plugins import by_name
from bridge.core.presentation import RecordView, Words
from bridge.erasure.journal import Journal
from bridge.erasure.process import recorded
from bridge.erasure.report import report
from bridge.register.delivery import erasure_sources, export_request
from bridge.register.erasing import erase_request
from bridge.register.requests import Register
from bridge.register.types import WORKABLE, RequestStatus, RequestType
from bridge.service import clients

# No cycle: bridge.service.app imports this module only inside create_app, once it is loaded.
from bridge.service.app import COMMON, REQUEST_ID, Caller, _own, _problem, _service
from bridge.service.models import CreatedRequest, NewRequestBody, Reference
from bridge.service.tables import ensure_schema
from exports.display import Shown, is_empty, scalar, show, translated
from exports.erasure_report import CompanyView, customer_page
from exports.naming import DATA_JSON
from exports.values import value_at

# Records per exporter page: small enough that rendering and WordPress's own work on one page
# stay well inside PHP's time limit, large enough that a customer with a few hundred records
# takes a handful of AJAX rounds.
PAGE_RECORDS = 50
# Where the packages made for WordPress go, and the erasure reports (as `erase` puts them).
EXPORTS_FOLDER = "wordpress-exports"
REPORTS_FOLDER = "reports"
# A value longer than this is cut: WordPress puts every value into one table cell of its page.
VALUE_LIMIT = 2000
ANSWERED_BY_EXPORT = (RequestType.access, RequestType.portability)

Language = Literal["nl", "en"]
PAGE = Query(ge=1, le=100_000, description="WordPress's page, from 1.")
LANG = Query(description="The language of labels and values (the site's: nl or en).")


class VerifiedRequestBody(NewRequestBody):
    """A request whose customer confirmed it through the client's own channel."""

    verified_by: Literal["wordpress"] = Field(
        description="Who verified it: `wordpress` when the customer clicked WordPress's"
        " confirmation link (recorded as the request's verification, method `wordpress`)."
    )
    reference: Reference  # required here: WordPress's request id ties the two together


class ExportField(BaseModel):
    name: str
    value: str


class ExportItem(BaseModel):
    """One record, as WordPress's exporters return an item."""

    group_id: str = Field(description="The system, e.g. mollie: one group per company.")
    group_label: str = Field(description="The company's name.")
    group_description: str
    item_id: str = Field(description="Record type and id, e.g. payment-tr_7UhSN1zuXS.")
    data: list[ExportField]


class ExportPage(BaseModel):
    """WordPress's exporter answer (`data`, `done`) with where the page lies."""

    data: list[ExportItem]
    done: bool
    page: int
    pages: int
    complete: bool = Field(description="Every system answered completely.")


class ErasePage(BaseModel):
    """WordPress's eraser answer (`items_removed`, `items_retained`, `messages`, `done`)."""

    items_removed: bool
    items_retained: bool
    messages: list[str]
    done: bool
    page: int
    pages: int
    state: str = Field(description="Where the erasure stands: complete, open or failed.")


def add_routes(api: FastAPI) -> None:
    """Register the endpoints on the service (called by `create_app`)."""

    @api.post(
        "/v1/requests/verified",
        status_code=201,
        response_model=CreatedRequest,
        responses={**COMMON, 200: {"model": CreatedRequest, "description": "Registered before."}},
        tags=["wordpress"],
    )
    def create_verified(
        body: VerifiedRequestBody, request: Request, response: Response, client: Caller
    ) -> CreatedRequest:
        """Register a request the customer confirmed through WordPress's e-mail link, verified
        by that confirmation. The same reference again answers the request registered then
        (200), so that a repeated confirmation does not register it twice."""
        service = _service(request)
        register = service.register(client.name)
        known = _by_reference(service.store, client.name, body.reference)
        if known is not None:
            response.status_code = 200
            request.state.audit_request = known
            return _created(register, known, body.reference, duplicate=False, warnings=[])
        made = register.new(
            body.type.value, body.email, received=body.received, channel=body.channel.value
        )
        clients.own(service.store, made.id, client.name, body.reference, now=service.now())
        request.state.audit_request = made.id
        # The reference is WordPress's id, not personal data (the model refuses '@' and spaces).
        register.mark_verified(
            made.id,
            body.verified_by,
            f"confirmed through WordPress's e-mail link (client {client.name},"
            f" WordPress request {body.reference})",
        )
        return _created(
            register,
            made.id,
            body.reference,
            duplicate=made.duplicate_of is not None,
            warnings=list(made.warnings),
        )

    @api.get(
        "/v1/requests/{request_id}/export",
        response_model=ExportPage,
        responses={**COMMON, **_problem(404, 409)},
        tags=["wordpress"],
    )
    def export_page(
        request: Request,
        client: Caller,
        request_id: Annotated[str, REQUEST_ID],
        page: Annotated[int, PAGE] = 1,
        lang: Annotated[Language, LANG] = "nl",
    ) -> ExportPage:
        """The processors' records of a verified access request in WordPress's exporter shape,
        grouped per company. Page 1 collects from every system (and records the package, as
        `export --request` does); the later pages read that package."""
        _own(request, request_id, client)
        service = _service(request)
        register = service.register(client.name)
        row = register.get(request_id)
        if row.type not in ANSWERED_BY_EXPORT:
            raise HTTPException(409, f"{request_id} is a {row.type.value} request, not access")
        if page == 1:
            if row.status not in WORKABLE:
                raise HTTPException(409, _refusal(request_id, row.status))
            folder = service.config.home / EXPORTS_FOLDER
            with App(service.config) as app:  # a fresh set of connectors for this one lookup
                data = export_request(
                    register, request_id, folder, service.config, export=app.export
                ).data
        else:
            data = _packaged(register, request_id, service.now())
        return export_view(data, page, lang)

    @api.post(
        "/v1/requests/{request_id}/erase",
        response_model=ErasePage,
        responses={**COMMON, **_problem(404, 409)},
        tags=["wordpress"],
    )
    def erase_page(
        request: Request,
        client: Caller,
        request_id: Annotated[str, REQUEST_ID],
        page: Annotated[int, PAGE] = 1,
        lang: Annotated[Language, LANG] = "nl",
    ) -> ErasePage:
        """Erase the person of a verified erasure request under the policy (page 1, once) and
        report one company a page in WordPress's eraser shape: what was removed, and what is
        kept, on what ground and until when."""
        _own(request, request_id, client)
        service = _service(request)
        register = service.register(client.name)
        row = register.get(request_id)
        if row.type is not RequestType.erasure:
            raise HTTPException(409, f"{request_id} is a {row.type.value} request, not erasure")
        if page == 1 and row.status in WORKABLE:
            with App(service.config) as app:
                erase_request(
                    register,
                    request_id,
                    erase=app.erase,
                    dry_run=False,
                    out_dir=service.config.home / REPORTS_FOLDER,
                    config=service.config,
                )
        companies, state = _erasure(register, request_id)
        if companies is None:
            raise HTTPException(409, _refusal(request_id, register.get(request_id).status))
        return erase_view(companies, state, page, lang)


# --- the exporter's answer ---------------------------------------------------------------------


def _text(value: Shown, lang: Language) -> str:
    text = value if isinstance(value, str) else getattr(value, lang)
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def _views(system: str) -> dict[str, RecordView]:
    try:
        return dict(by_name(system).views)
    except KeyError:  # a system no longer registered: its records are shown field by field
        return {}


def record_fields(record: Record, view: RecordView | None, lang: Language) -> list[ExportField]:
    """A record's labelled values as its connector's view declares them (amounts, dates and
    codes as a person reads them); without a view, its own fields under their own names."""
    fields: list[ExportField] = []
    if view is not None:
        for declared in view.fields:
            shown = show(record.data, declared)
            if shown is not None:
                fields.append(
                    ExportField(name=_text(declared.label, lang), value=_text(shown, lang))
                )
        for lines in view.lines:
            items = value_at(record.data, lines.path)
            if not isinstance(items, list):
                continue
            for number, item in enumerate(items, start=1):
                parts = [
                    f"{_text(f.label, lang)}: {_text(v, lang)}"
                    for f in lines.fields
                    if (v := show(item, f)) is not None
                ]
                if parts:
                    name = f"{_text(lines.label, lang)} {number}"
                    fields.append(ExportField(name=name, value=_text("; ".join(parts), lang)))
    else:
        for key, value in record.data.items():
            if not is_empty(value):
                fields.append(ExportField(name=str(key), value=_text(scalar(value), lang)))
    if record.matched_by:
        found = Words("Gevonden via", "Found through")
        fields.append(
            ExportField(name=_text(found, lang), value=_text("; ".join(record.matched_by), lang))
        )
    return fields


def _company(data: DataPackage, source: SourceResult, lang: Language) -> tuple[str, str]:
    """The company's name and a line on its role (the shop's statement, else the connector)."""
    described = data.statement.company(source.system) if data.statement else None
    if described is not None:
        return described.name, _text(Words(described.role.nl, described.role.en), lang)
    return source.title or source.system, _text(
        translated(source.role), lang
    ) if source.role else ""


def export_view(data: DataPackage, page: int, lang: Language) -> ExportPage:
    """Page `page` of the package's records as WordPress's exporter items."""
    placed = [(source, record) for source in data.sources for record in source.records]
    pages = max(1, math.ceil(len(placed) / PAGE_RECORDS))
    chosen = placed[(page - 1) * PAGE_RECORDS : page * PAGE_RECORDS]
    items = []
    for source, record in chosen:
        label, description = _company(data, source, lang)
        view = _views(source.system).get(record.type)
        items.append(
            ExportItem(
                group_id=source.system,
                group_label=label,
                group_description=description,
                item_id=f"{record.type}-{record.id}",
                data=record_fields(record, view, lang),
            )
        )
    return ExportPage(
        data=items, done=page >= pages, page=page, pages=pages, complete=data.complete
    )


def _packaged(register: Register, request_id: str, now: Any) -> DataPackage:
    """The data of the request's newest package (page 1 made it)."""
    found = register.packages(request_id)
    if not found or found[0].expired(now) or not found[0].path.is_file():
        raise HTTPException(409, "no current package for this request: start again at page 1")
    with zipfile.ZipFile(found[0].path) as archive:
        return DataPackage.model_validate_json(archive.read(DATA_JSON))


# --- the eraser's answer -----------------------------------------------------------------------


def _erasure(register: Register, request_id: str) -> tuple[list[CompanyView] | None, str]:
    """The request's erasure as its journal holds it, per company as the customer's report
    shows it; None when it was not erased."""
    subject = register.store.db.execute(
        "SELECT subject FROM requests WHERE id = ?", (request_id,)
    ).fetchone()
    journal = Journal.last(register.store, str(subject["subject"]), request_id) if subject else None
    if journal is None:
        return None, ""
    content = report(recorded(journal, erasure_sources(register, request_id)))
    shown = customer_page(content)
    return shown.companies, shown.state


KEPT = Words(
    "{company}: {kind} ({count}) blijven bewaard {until}; grond: {basis}",
    "{company}: {kind} ({count}) are kept {until}; ground: {basis}",
)


def company_messages(company: CompanyView, lang: Language) -> list[str]:
    """What WordPress shows of one company: what was done, each kind kept with its end date
    and ground, and what is still being done there."""
    messages = []
    if company.summary is not None:
        messages.append(f"{company.title}: {_text(company.summary, lang)}")
    for kept in company.kept:
        for kind in kept.kinds:
            messages.append(
                _text(KEPT, lang).format(
                    company=company.title,
                    kind=_text(kind.label, lang),
                    count=kind.count,
                    until=_text(kind.until, lang),
                    basis=kept.basis or "-",
                )
            )
    messages.extend(_text(sentence, lang) for sentence in company.doing)
    return messages


def erase_view(companies: list[CompanyView], state: str, page: int, lang: Language) -> ErasePage:
    """Page `page`: one company of the erasure."""
    pages = max(1, len(companies))
    if page > len(companies):
        nothing = Words("Geen gegevens gevonden om te wissen.", "No data found to erase.")
        messages = [_text(nothing, lang)] if not companies and page == 1 else []
        return ErasePage(
            items_removed=False,
            items_retained=False,
            messages=messages,
            done=True,
            page=page,
            pages=pages,
            state=state,
        )
    company = companies[page - 1]
    return ErasePage(
        items_removed=bool(company.deleted or company.anonymised or company.by_hand),
        items_retained=bool(company.kept or company.doing),
        messages=company_messages(company, lang),
        done=page >= pages,
        page=page,
        pages=pages,
        state=state,
    )


# --- helpers -----------------------------------------------------------------------------------


def _by_reference(store: Any, client: str, reference: str) -> str | None:
    """The request `client` registered under `reference`, if any."""
    ensure_schema(store.db)
    row = store.db.execute(
        "SELECT request_id FROM service_requests WHERE client = ? AND reference = ?"
        " ORDER BY created_at DESC LIMIT 1",
        (client, reference),
    ).fetchone()
    return None if row is None else str(row["request_id"])


def _created(
    register: Register, request_id: str, reference: str, *, duplicate: bool, warnings: list[str]
) -> CreatedRequest:
    row = register.get(request_id)
    return CreatedRequest(
        id=row.id,
        type=row.type,
        status=row.status,
        received=row.received,
        due=row.due,
        duplicate=duplicate,
        warnings=warnings,
        reference=reference,
    )


def _refusal(request_id: str, status: RequestStatus) -> str:
    if status is RequestStatus.identity_unverified:
        return f"{request_id} is not verified yet"
    return f"{request_id} is {status.value}: nothing to do"
