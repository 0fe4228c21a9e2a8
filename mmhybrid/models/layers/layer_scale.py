import torch
import torch.nn as nn


class LayerScale2d(nn.Module):
    """Per-channel scale with a learnable bias on NCHW maps: ``y_c = w_c * x_c + b_c``.

    Stored as the official TransXNet depthwise-1x1 parameters: ``weight`` (C, 1, 1, 1) and
    ``bias`` (C,).

    Args:
        dim (int): Channels.
        init_value (float): Initial scale; the bias starts at zero.
    """

    def __init__(self, dim: int, init_value: float = 1e-5) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.full((dim, 1, 1, 1), float(init_value)))
        self.bias = nn.Parameter(torch.zeros(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)
