"""Errors carry their HTTP status; one set of handlers renders one envelope:
`{error, message, requestId, details?, retryAfter?}`."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from crowdsketch.responses import JsonResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from crowdsketch.logs import request_id_var

logger = logging.getLogger("crowdsketch.errors")


class AppError(Exception):
    status_code = 500
    code = "INTERNAL_ERROR"
    retryable = False

    def __init__(self, message: str, *, details: Sequence[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details) if details else None

    def headers(self) -> dict[str, str]:
        return {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message, "requestId": request_id_var.get()}
        if self.details:
            body["details"] = self.details
        return body


class ValidationError(AppError):
    status_code = 400
    code = "VALIDATION_ERROR"

    @classmethod
    def for_field(cls, field: str, message: str) -> ValidationError:
        return cls(f"{field}: {message}", details=[{"field": field, "message": message}])


class AuthenticationError(AppError):
    status_code = 401
    code = "AUTHENTICATION_REQUIRED"


class ForbiddenError(AppError):
    status_code = 403
    code = "FORBIDDEN"


class NotFoundError(AppError):
    status_code = 404
    code = "NOT_FOUND"


class GoneError(AppError):
    """What was here is gone for good (an upload URL past its expiry): asking again with the
    same thing will not help, unlike a 404's "maybe not yet"."""

    status_code = 410
    code = "GONE"


class ConflictError(AppError):
    status_code = 409
    code = "CONFLICT"
    retryable = True


class RequestTimeoutError(AppError):
    status_code = 408
    code = "REQUEST_TIMEOUT"

    def headers(self) -> dict[str, str]:
        # The rest of the body may still trickle in: the connection is not worth keeping.
        return {"Connection": "close"}


class PayloadTooLargeError(AppError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"


class RateLimitedError(AppError):
    status_code = 429
    code = "RATE_LIMITED"
    retryable = True

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = max(1, math.ceil(retry_after_s))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}

    def body(self) -> dict[str, Any]:
        return {**super().body(), "retryAfter": self.retry_after_s}


class ServiceUnavailableError(RateLimitedError):
    status_code = 503
    code = "SERVICE_UNAVAILABLE"


def _field_path(loc: Sequence[str | int]) -> str:
    """('body', 'strokeData', 'strokes', 3, 0) -> 'strokeData.strokes[3][0]'."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}" if parts else item)
    path = "".join(parts)
    return path.removeprefix("body.") if path != "body" else "body"


def error_response(error: AppError) -> JsonResponse:
    return JsonResponse(error.body(), status_code=error.status_code, headers=error.headers())


def internal_error_response() -> JsonResponse:
    return error_response(AppError("An unexpected error occurred; it has been logged."))


def app_error_response(error: AppError) -> JsonResponse:
    """An `AppError` as the client gets it; a dependency's outage (5xx) is logged too. What the
    exception handler answers, and the fast layers (collection/fast_submit.py,
    inference/fast_classify.py) that answer before the routes."""
    if error.status_code >= 500:
        logger.warning("%s: %s", error.code, error.message)
    return error_response(error)


async def _app_error(_: Request, exc: Exception) -> JsonResponse:
    assert isinstance(exc, AppError)
    return app_error_response(exc)


async def _request_validation_error(_: Request, exc: Exception) -> JsonResponse:
    assert isinstance(exc, RequestValidationError)
    details = []
    for err in exc.errors():
        loc = err.get("loc", ())
        if loc and loc[0] == "header":
            field = f"headers.{loc[1]}" if len(loc) > 1 else "headers"
        elif loc and loc[0] == "query":
            field = f"query.{loc[1]}" if len(loc) > 1 else "query"
        else:
            field = _field_path(loc)
        message = err.get("msg", "invalid")
        if err.get("type") == "json_invalid":
            field, message = "body", "the body is not valid JSON"
        details.append({"field": field, "message": message})
    first = details[0] if details else {"field": "body", "message": "invalid"}
    return error_response(ValidationError(f"{first['field']}: {first['message']}", details=details))


async def _http_exception(_: Request, exc: Exception) -> JsonResponse:
    assert isinstance(exc, StarletteHTTPException)
    return http_error(exc)


def http_error(exc: StarletteHTTPException) -> JsonResponse:
    """Starlette's own errors (no route, wrong method, a body it could not read) in our
    envelope and with our codes."""
    error: AppError
    if exc.status_code == 400:
        error = ValidationError.for_field("body", "the body could not be read as JSON")
    elif exc.status_code == 404:
        error = NotFoundError(str(exc.detail))
    elif exc.status_code == 408:
        error = RequestTimeoutError(str(exc.detail), details=[{"field": "body", "message": str(exc.detail)}])
    elif exc.status_code == 413:
        error = PayloadTooLargeError(str(exc.detail), details=[{"field": "body", "message": str(exc.detail)}])
    else:
        error = AppError(str(exc.detail))
        error.status_code = exc.status_code
        error.code = "METHOD_NOT_ALLOWED" if exc.status_code == 405 else f"HTTP_{exc.status_code}"
    return error_response(error)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_exception)


_ERROR_BODY_SCHEMA: dict[str, Any] = {
    "title": "ErrorBody",
    "type": "object",
    "required": ["error", "message", "requestId"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "requestId": {"type": "string"},
        "details": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
        }},
        "retryAfter": {"type": "integer"},
    },
}


def document_error_answers(app: FastAPI) -> None:
    """The OpenAPI document as the app answers: FastAPI documents a 422 `HTTPValidationError`
    on every route that takes input, where this app answers 400 and the envelope; and every
    route with a body can also get the middleware's 413 (too large) and 408 (too slow)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = build()
        envelope = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if responses.pop("422", None) is not None:
                    responses.setdefault("400", {"description": "Invalid request; `details` names each field at fault"})
                if "requestBody" in operation:
                    responses.setdefault("408", {"description": "The body arrived too slowly"})
                    responses.setdefault("413", {"description": "The body is over the size limit"})
                for status in ("400", "408", "413"):
                    if status in responses:
                        responses[status]["content"] = envelope
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        schemas["ErrorBody"] = _ERROR_BODY_SCHEMA
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
