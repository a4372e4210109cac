"""The open-data endpoints: ``/api/v1/associations`` (JSON), ``.csv``, one association, filters."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, request, stream_with_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from lokapp.associations import queries
from lokapp.associations.directory import DirectoryForm
from lokapp.core.access import public

bp = Blueprint("api", __name__, url_prefix="/api/v1")

API_VERSION = "1"
CACHE_CONTROL = "public, max-age=60"
FILTER_PARAMS = ("q", "category", "district", "target_group", "language", "accessible",
                 "lok_signatory")
CSV_COLUMNS = ("id", "name", "orgnr", "legal_form", "category", "category_key", "districts",
               "target_groups", "languages", "description", "email", "phone", "website", "city",
               "founded_year", "has_accessible_premises", "is_lok_signatory", "url", "updated_at")
CSV_SEPARATORS = {"comma": ",", "semicolon": ";"}
# Cells that a spreadsheet would run as a formula start with one of these (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HARMLESS_NUMBER = frozenset("0123456789 +-()/")


class BadRequest(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest):
    body = {"error": "bad_request",
            "message": _("Frågan innehåller fel. Rätta parametrarna och försök igen."),
            "errors": error.errors}
    return _json(body, status=400)


@bp.after_request
def _cors(response: Response) -> Response:
    """Open data may be read from any web page (no credentials, read-only)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Link"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


# --- parameters ----------------------------------------------------------------------------------

def _int_param(args: MultiDict, name: str, default: int, maximum: int | None = None) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise BadRequest({name: [_("Ange ett heltal som är 1 eller större.")]})
    value = int(raw)
    if maximum is not None and value > maximum:
        raise BadRequest({name: [_("Högst %(max)d.", max=maximum)]})
    return value


def _parse_filter(extra: tuple[str, ...] = ()) -> queries.DirectoryFilter:
    """The filter from the query string, or BadRequest with a message per parameter."""
    args = request.args
    allowed = set(FILTER_PARAMS) | set(extra)
    errors: dict[str, list[str]] = {}
    for name in args:
        if name not in allowed:
            errors[name] = [_("Okänd parameter. Tillåtna parametrar: %(names)s.",
                              names=", ".join(sorted(allowed)))]
        elif len(args.getlist(name)) > 1:
            errors[name] = [_("Ange parametern bara en gång.")]
    if errors:
        raise BadRequest(errors)
    with force_locale("sv"):
        form = DirectoryForm(formdata=MultiDict({k: args[k] for k in FILTER_PARAMS if k in args}))
        form.set_choices(queries.filter_choices(english=False))
        if not form.validate():
            raise BadRequest({name: [str(e) for e in field_errors]
                              for name, field_errors in form.errors.items()})
        return form.to_filter()


# --- HTTP helpers --------------------------------------------------------------------------------

def _json(body: Any, status: int = 200) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text, status=status, mimetype="application/json")


def _not_modified(etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110: If-None-Match wins; If-Modified-Since only when it is absent."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag) or request.if_none_match.star_tag
    if request.if_modified_since and last_modified is not None:
        return last_modified.replace(microsecond=0) <= request.if_modified_since
    return False


def _validators(response: Response, etag: str, last_modified: datetime | None) -> Response:
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _conditional(etag: str, last_modified: datetime | None) -> Response | None:
    if _not_modified(etag, last_modified):
        return _validators(Response(status=304), etag, last_modified)
    return None


# --- endpoints -----------------------------------------------------------------------------------

@bp.get("/associations")
@public
def associations():
    flt = _parse_filter(extra=("page", "per_page"))
    page = _int_param(request.args, "page", 1, queries.MAX_PAGE)
    per_page = _int_param(request.args, "per_page", queries.PER_PAGE, queries.MAX_PER_PAGE)
    fresh = queries.freshness(flt)
    etag = fresh.etag(API_VERSION, "json", sorted(flt.params().items()), page, per_page)
    if (response := _conditional(etag, fresh.last_modified)) is not None:
        return response
    result = queries.directory_page(flt, page=page, per_page=per_page)
    has_next = page * per_page < result.total
    body = {
        "items": [queries.public_record(a, is_signatory=result.is_signatory(a))
                  for a in result.items],
        "page": page,
        "per_page": per_page,
        "total": result.total,
        "next": _absolute(url_for("api.associations", page=page + 1, per_page=per_page,
                                  **flt.params())) if has_next else None,
    }
    response = _json(body)
    if has_next:
        response.headers["Link"] = f'<{body["next"]}>; rel="next"'
    return _validators(response, etag, fresh.last_modified)


@bp.get("/associations.csv")
@public
def associations_csv():
    flt = _parse_filter(extra=("separator",))
    separator = request.args.get("separator", "comma")
    if separator not in CSV_SEPARATORS:
        raise BadRequest({"separator": [_("Ange comma eller semicolon.")]})
    fresh = queries.freshness(flt)
    etag = fresh.etag(API_VERSION, "csv", sorted(flt.params().items()), separator)
    if (response := _conditional(etag, fresh.last_modified)) is not None:
        return response
    rows = _csv_rows(flt, CSV_SEPARATORS[separator])
    response = Response(stream_with_context(rows), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
    response.headers["Content-Disposition"] = \
        'attachment; filename="foreningsregistret-vasteras.csv"'
    return _validators(response, etag, fresh.last_modified)


@bp.get("/associations/<int:association_id>")
@public
def association(association_id: int):
    if request.args:
        raise BadRequest({name: [_("Okänd parameter.")] for name in request.args})
    found = queries.get_listed(association_id)
    if found is None:
        return _json({"error": "not_found",
                      "message": _("Föreningen finns inte i det öppna registret.")}, status=404)
    record = queries.public_record(found, is_signatory=bool(queries.signatory_ids([found.id])))
    etag = hashlib.sha256(json.dumps([API_VERSION, record], sort_keys=True).encode()
                          ).hexdigest()[:32]
    last_modified = queries.last_change(found)
    if (response := _conditional(etag, last_modified)) is not None:
        return response
    return _validators(_json(record), etag, last_modified)


@bp.get("/filters")
@public
def filters():
    """The values the filters accept (keys) with their Swedish names."""
    if request.args:
        raise BadRequest({name: [_("Okänd parameter.")] for name in request.args})
    choices = queries.filter_choices(english=False)
    body = {name: [{"key": c.key, "name": c.name} for c in getattr(choices, name)]
            for name in ("categories", "districts", "target_groups", "languages")}
    return _json(body)


# --- CSV -----------------------------------------------------------------------------------------

def _absolute(path: str) -> str:
    return current_app.config["SERVER_BASE_URL"].rstrip("/") + path


def _spreadsheet_safe(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula: text that starts like one gets a
    leading apostrophe. Phone numbers such as +46 21 … (digits and + - ( ) / only) are left
    alone – they cannot call anything."""
    if value.startswith(_FORMULA_START) and not set(value) <= _HARMLESS_NUMBER:
        return "'" + value
    return value


def _csv_cells(record: dict[str, Any]) -> list[str]:
    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return _spreadsheet_safe(str(value))

    return [
        text(record["id"]), text(record["name"]), text(record["orgnr"]),
        text(record["legal_form"]), text(record["category"]["name"]),
        text(record["category"]["key"]),
        text("; ".join(d["name"] for d in record["districts"])),
        text("; ".join(g["name"] for g in record["target_groups"])),
        text("; ".join(lang["code"] for lang in record["languages"])),
        text(record["description"]), text(record["email"]), text(record["phone"]),
        text(record["website"]), text(record["city"]), text(record["founded_year"]),
        text(record["has_accessible_premises"]), text(record["is_lok_signatory"]),
        text(record["url"]), text(record["updated_at"]),
    ]


def _csv_rows(flt: queries.DirectoryFilter, delimiter: str) -> Iterator[str]:
    """UTF-8 with a byte-order mark (so Excel reads å, ä, ö right), CRLF line ends (RFC 4180),
    the header row first, then every match – streamed in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + flush()
    for n, (association, is_signatory) in enumerate(queries.iter_matches(flt), start=1):
        writer.writerow(_csv_cells(queries.public_record(association,
                                                         is_signatory=is_signatory)))
        if n % 200 == 0:
            yield flush()
    yield flush()
