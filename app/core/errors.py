"""Error responses: every bad input becomes a 4xx with a message that names the field.

FastAPI's own 422 echoes the offending input, which may be NaN and so not valid JSON;
these handlers send only ``loc``, ``msg`` and ``type``. Nothing ever answers with a trace.
"""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.middleware import SECURITY_HEADERS

log = logging.getLogger("app")


def error_detail(loc, msg: str, kind: str = "value_error") -> dict:
    return {
        "loc": [p if isinstance(p, int | str) else str(p) for p in loc],
        "msg": msg,
        "type": kind,
    }


def unprocessable(errors: list[dict]) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": errors})


def _clean_msg(error: dict) -> str:
    msg = str(error.get("msg", "invalid value"))
    if error.get("type") == "json_invalid":
        ctx = error.get("ctx") or {}
        return f"the body is not valid JSON: {ctx.get('error', msg)}"
    if error.get("type") == "missing":
        return "field required"
    if error.get("type") == "extra_forbidden":
        name = (error.get("loc") or ["?"])[-1]
        return f"unknown field '{name}': it is not part of this request (check the spelling)"
    return msg.removeprefix("Value error, ")


FASTAPI_PARSE_ERROR = "There was an error parsing the body"


def _unreadable(cause: BaseException | None) -> str:
    if isinstance(cause, UnicodeDecodeError):
        return "the body is not valid UTF-8 text; send JSON encoded as UTF-8"
    if isinstance(cause, RecursionError):
        return "the body is nested too deeply"
    return "the body could not be read as JSON"


# Type mismatches pydantic reports for the union branches that did not apply.
_BRANCH_MISMATCH = {"list_type", "dict_type", "model_type", "model_attributes_type", "string_type"}


def _is_union_tag(part) -> bool:
    """Pydantic names union branches in ``loc`` ("literal['a','b']", "ActivationObject")."""
    return isinstance(part, str) and ("[" in part or part[:1].isupper())


def collapse_union_errors(errors) -> list[tuple[tuple, dict]]:
    """One clear error per field: drop union branch tags from ``loc`` and keep the branch
    that got furthest (e.g. a misspelt activation name says which names exist, not that the
    value is also not a list)."""
    plain, unions = [], {}
    for error in errors:
        loc = tuple(error.get("loc", ()))
        tagged = [i for i, part in enumerate(loc) if _is_union_tag(part)]
        if not tagged:
            plain.append((loc, error))
            continue
        clean = tuple(p for p in loc if not _is_union_tag(p))
        unions.setdefault(loc[: tagged[0]], []).append((clean, error))
    for candidates in unions.values():
        deepest = max(len(loc) for loc, _ in candidates)
        best = [(loc, e) for loc, e in candidates if len(loc) == deepest]
        specific = [(loc, e) for loc, e in best if e.get("type") not in _BRANCH_MISMATCH]
        seen = set()
        for loc, e in specific or best[:1]:
            if (loc, e.get("msg")) not in seen:
                seen.add((loc, e.get("msg")))
                plain.append((loc, e))
    return plain


def install_error_handlers(app: FastAPI, field_error: type[Exception]) -> None:
    """Every error answer of the app. ``field_error`` is the engine's exception for a field
    that is well-typed but wrong (it has ``loc``, ``msg``, ``kind`` and ``source``: "body" or
    "query"); core does not import the engine, so the app hands the class in."""

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = [
            error_detail(loc, _clean_msg(e), str(e.get("type", "value_error")))
            for loc, e in collapse_union_errors(exc.errors())
        ]
        return unprocessable(errors)

    @app.exception_handler(field_error)
    async def _field(request: Request, exc):
        return unprocessable([error_detail((exc.source, *exc.loc), exc.msg, exc.kind)])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400 and exc.detail == FASTAPI_PARSE_ERROR:
            # FastAPI's opaque "error parsing the body" (bad UTF-8, 100k-deep nesting):
            # a 422 that says why, in the same shape as every other bad body.
            return unprocessable(
                [error_detail(("body",), _unreadable(exc.__cause__), "json_invalid")]
            )
        headers = getattr(exc, "headers", None)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RecursionError)
    async def _recursion(request: Request, exc: RecursionError):
        return unprocessable(
            [error_detail(("body",), "the body is nested too deeply", "json_invalid")]
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        # Sent by Starlette's outermost error middleware, outside SecurityHeaders: add them here.
        headers = {name.decode(): value.decode() for name, value in SECURITY_HEADERS}
        return JSONResponse({"detail": "internal error"}, status_code=500, headers=headers)
