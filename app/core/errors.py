"""Error responses: every bad input becomes a 4xx with a message that names the field.

FastAPI's own 422 echoes the offending input, which may be NaN and so not valid JSON;
these handlers send only ``loc``, ``msg`` and ``type``. Nothing ever answers with a trace.
"""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.engine.errors import SpecError

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
    return msg.removeprefix("Value error, ")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = [
            error_detail(e.get("loc", ()), _clean_msg(e), str(e.get("type", "value_error")))
            for e in exc.errors()
        ]
        return unprocessable(errors)

    @app.exception_handler(SpecError)
    async def _spec(request: Request, exc: SpecError):
        return unprocessable([error_detail(("body", *exc.loc), exc.msg, exc.kind)])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
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
        return JSONResponse({"detail": "internal error"}, status_code=500)
