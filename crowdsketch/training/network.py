"""ShapeNet: a compact CNN that classifies a rasterised drawing.

Input is one raster from `crowdsketch.raster` (ink 1.0 on 0.0), output is one logit per class.
Three conv blocks (conv 3x3 → batch norm → ReLU → max pool 2x2) and a linear head over the
last feature map, flattened so that where a feature sits still counts (a rectangle and a
square differ mostly in where their edges are). With the default config and 12 classes it has
35,708 parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class NetworkConfig:
    classes: int
    size: int = 32  # raster side in pixels; must be divisible by 2 ** len(channels)
    channels: tuple[int, ...] = (16, 32, 64)
    dropout: float = 0.2

    def __post_init__(self) -> None:
        # A config read back from JSON carries a list; keep it a tuple so configs compare equal.
        self.channels = tuple(int(c) for c in self.channels)
        if self.classes < 2:
            raise ValueError("a classifier needs at least 2 classes")
        if self.size % (2 ** len(self.channels)) != 0:
            raise ValueError(f"size {self.size} is not divisible by 2**{len(self.channels)}")


class ConvBlock(nn.Module):
    """conv 3x3 → batch norm → ReLU → max pool 2x2: halves the side, sets the channel count."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        # No conv bias: the batch norm that follows has its own shift.
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)  # (B, C_out, H, W)
        x = F.relu(self.bn(x))  # (B, C_out, H, W)
        return F.max_pool2d(x, 2)  # (B, C_out, H/2, W/2)


class ShapeNet(nn.Module):
    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = config
        widths = (1, *config.channels)
        self.blocks = nn.Sequential(*(ConvBlock(a, b) for a, b in zip(widths[:-1], widths[1:])))
        self.dropout = nn.Dropout(config.dropout)
        side = config.size // 2 ** len(config.channels)
        self.head = nn.Linear(config.channels[-1] * side * side, config.classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (B, 1, S, S) float32 in [0, 1]
        x = self.blocks(x)  # (B, C_last, S/8, S/8) with three blocks
        x = self.dropout(x.flatten(1))  # (B, C_last * (S/8)²)
        return self.head(x)  # (B, classes) logits

    @torch.no_grad()
    def predict_proba(self, x: torch.Tensor) -> torch.Tensor:
        """Class probabilities (B, classes) in eval mode; the module's mode is restored after."""
        was_training = self.training
        self.eval()
        try:
            return F.softmax(self(x), dim=-1)  # (B, classes)
        finally:
            self.train(was_training)

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())
