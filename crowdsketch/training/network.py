"""ShapeNet: a compact CNN that classifies a rasterised drawing.

Input is one raster from `crowdsketch.raster` (ink 1.0 on 0.0), output is one logit per class.
Three conv blocks (conv 3x3 → batch norm → ReLU → max pool 2x2) and a linear head over the
last feature map, flattened so that where a feature sits still counts (a rectangle and a
square differ mostly in where their edges are). With the default config and 12 classes it has
35,708 parameters.

With `path_points` set, a second branch reads the pen's path (`crowdsketch/pen_path.py`,
(B, 5, points)): three 1-D conv blocks along the path, then the max and the mean over it,
joined to the raster's features before the head. It sees what the raster cannot: the order
of the pen's moves (an arrow's head drawn out and back, a zigzag's turns).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from crowdsketch.pen_path import FEATURES as PATH_FEATURES


@dataclass
class NetworkConfig:
    classes: int
    size: int = 32  # raster side in pixels; must be divisible by 2 ** len(channels)
    channels: tuple[int, ...] = (16, 32, 64)
    dropout: float = 0.2
    path_points: int = 0  # 0: the raster alone; else the pen-path branch's input length
    path_width: int = 64

    def __post_init__(self) -> None:
        # A config read back from JSON carries a list; keep it a tuple so configs compare equal.
        self.channels = tuple(int(c) for c in self.channels)
        if self.classes < 2:
            raise ValueError("a classifier needs at least 2 classes")
        if self.size % (2 ** len(self.channels)) != 0:
            raise ValueError(f"size {self.size} is not divisible by 2**{len(self.channels)}")
        if self.path_points < 0 or (self.path_points and self.path_points % 2):
            raise ValueError(f"path_points must be 0 or an even count, got {self.path_points}")


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


class PathBranch(nn.Module):
    """The pen's path (B, 5, P) → (B, 2·width): conv 3 → BN → ReLU, three times (the second
    halving P), then the max and the mean along the path."""

    def __init__(self, features: int, width: int) -> None:
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv1d(features, 32, 3, padding=1, bias=False),
                                    nn.Conv1d(32, width, 3, padding=1, bias=False),
                                    nn.Conv1d(width, width, 3, padding=1, bias=False)])
        self.norms = nn.ModuleList([nn.BatchNorm1d(32), nn.BatchNorm1d(width), nn.BatchNorm1d(width)])

    def forward(self, path: torch.Tensor) -> torch.Tensor:
        s = path  # (B, 5, P)
        for i, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            s = F.relu(norm(conv(s)))  # (B, C, P')
            if i == 1:
                s = F.max_pool1d(s, 2)  # (B, width, P/2)
        return torch.cat([s.amax(dim=-1), s.mean(dim=-1)], dim=1)  # (B, 2·width)


class ShapeNet(nn.Module):
    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = config
        widths = (1, *config.channels)
        self.blocks = nn.Sequential(*(ConvBlock(a, b) for a, b in zip(widths[:-1], widths[1:])))
        self.dropout = nn.Dropout(config.dropout)
        side = config.size // 2 ** len(config.channels)
        features = config.channels[-1] * side * side
        self.path = PathBranch(PATH_FEATURES, config.path_width) if config.path_points else None
        if self.path is not None:
            features += 2 * config.path_width
        self.head = nn.Linear(features, config.classes)

    def forward(self, x: torch.Tensor, path: torch.Tensor | None = None) -> torch.Tensor:
        # x: (B, 1, S, S) float32 in [0, 1]; path: (B, 5, P) when the network reads paths
        features = self.blocks(x).flatten(1)  # (B, C_last * (S/8)²) with three blocks
        if self.path is not None:
            if path is None:
                raise ValueError("this network reads the pen's path too: pass it")
            features = torch.cat([features, self.path(path)], dim=1)  # (B, features + 2·width)
        return self.head(self.dropout(features))  # (B, classes) logits

    @torch.no_grad()
    def predict_proba(self, x: torch.Tensor, path: torch.Tensor | None = None) -> torch.Tensor:
        """Class probabilities (B, classes) in eval mode; the module's mode is restored after."""
        was_training = self.training
        self.eval()
        try:
            return F.softmax(self(x, path), dim=-1)  # (B, classes)
        finally:
            self.train(was_training)

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())
