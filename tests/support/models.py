"""A fixed ONNX model for inference tests, independent of training."""

from __future__ import annotations

import concurrent.futures
import io
import uuid
from datetime import UTC, datetime

import orjson
import pytest
from sqlalchemy import update

from crowdsketch.db.models import ModelVersion
from crowdsketch.common.channels import ACTIVE_MODEL_CHANNEL
from crowdsketch.raster import RasterSpec
from tests.support.stacks import Stack


def _orientation_model_onnx(spec: RasterSpec) -> bytes:
    """A fixed two-class model: ink along the middle row is "horizontal", along the middle
    column "vertical" (after the rasterizer centres the drawing)."""
    import torch

    class Orientation(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 1, S, S) -> (B, 2)
            mid = x.shape[-1] // 2
            rows = x[:, 0, mid - 1 : mid + 1, :].sum(dim=(1, 2))
            cols = x[:, 0, :, mid - 1 : mid + 1].sum(dim=(1, 2))
            return torch.stack([rows, cols], dim=1)

    buffer = io.BytesIO()
    example = torch.zeros(1, 1, spec.size, spec.size)
    torch.onnx.export(Orientation(), (example,), buffer, input_names=["strokes_raster"], output_names=["logits"],
                      dynamic_axes={"strokes_raster": {0: "batch"}}, dynamo=False)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def orientation_model() -> bytes:
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(_orientation_model_onnx, RasterSpec()).result()


async def add_model(stack: Stack, onnx_bytes: bytes, version: int, *, active: bool, notify: bool = True) -> uuid.UUID:
    assert stack.resources is not None
    prefix = f"models/{version}/"
    card = {"classes": ["horizontal", "vertical"], "preprocessing": RasterSpec().to_dict()}
    await stack.stores.blobs.put(prefix + "model.onnx", onnx_bytes)
    await stack.stores.blobs.put(prefix + "card.json", orjson.dumps(card))
    model_id = uuid.uuid4()

    async def insert(session) -> None:  # type: ignore[no-untyped-def]
        if active:
            await session.execute(update(ModelVersion).values(active=False))
        session.add(ModelVersion(
            id=model_id, version=version, classes=card["classes"], accuracy=0.5 + version / 100, metrics={},
            dataset_size=10, dataset_hash="0" * 64, blob_prefix=prefix, active=active,
            activated_at=datetime.now(UTC) if active else None,
        ))

    await stack.stores.db.run(insert)
    if active and notify:
        await stack.resources.kv.publish(ACTIVE_MODEL_CHANNEL, str(model_id).encode())
    return model_id
