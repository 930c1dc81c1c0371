"""Shared by the API and the import/export page: read an uploaded CSV within a size limit."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import UploadFile

from ldn.errors import InputError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


async def read_csv_upload(upload: UploadFile) -> str:
    """The upload's text (UTF-8, BOM allowed); 413 above 10 MiB, InputError if not text."""
    raw = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise HTTPException(
            status_code=413,
            detail=f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB; split it",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the file {upload.filename!r} is not UTF-8 text (byte {exc.start} cannot be read); "
            "save it as CSV UTF-8 and upload again"
        ) from None
