"""Window partitions: square windows of channels-last maps (FcaFormer, MixFormer), and the
contiguous or dilated windows of NCHW maps (HLG's backbone and head)."""
from typing import Tuple

import torch


def window_partition(x: torch.Tensor, ws: int) -> torch.Tensor:
    """(B, H, W, C) -> (B * H/ws * W/ws, ws * ws, C): windows row-major, batch-major; H and W
    are multiples of ``ws``."""
    B, H, W, C = x.shape
    x = x.reshape(B, H // ws, ws, W // ws, ws, C).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(-1, ws * ws, C)


def window_reverse(windows: torch.Tensor, ws: int, H: int, W: int) -> torch.Tensor:
    """The inverse of :func:`window_partition`: -> (B, H, W, C)."""
    C = windows.shape[-1]
    x = windows.reshape(-1, H // ws, W // ws, ws, ws, C).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(-1, H, W, C)


class WindowPartition:
    """Mixin: contiguous or dilated windows of NCHW maps.

    The using class sets ``window`` (side R), ``dilated`` (tokens strided across the map
    instead of contiguous), ``dilation`` (``'grid'``: R x R windows with stride Hp / R, the
    official code's form; ``'interval'``: stride ``interval``, CrossFormer's LDA, windows of
    (Hp / interval) x (Wp / interval) tokens) and ``interval``.
    """

    window: int
    dilated: bool
    dilation: str
    interval: int

    def pad_unit(self) -> int:
        """Maps are padded to a multiple of this on both sides."""
        return self.interval if self.dilated and self.dilation == 'interval' else self.window

    def layout(self, Hp: int, Wp: int) -> Tuple[int, int, int, int]:
        """(windows along H, along W, window height, window width)."""
        if self.dilated and self.dilation == 'interval':
            return self.interval, self.interval, Hp // self.interval, Wp // self.interval
        return Hp // self.window, Wp // self.window, self.window, self.window

    def partition(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, Hp, Wp) -> (B * nW, wh * ww, C), windows row-major."""
        if not self.dilated:
            return window_partition(x.permute(0, 2, 3, 1), self.window)
        B, C, Hp, Wp = x.shape
        nh, nw, wh, ww = self.layout(Hp, Wp)
        # Token (i, j) of window (a, b) sits at (i * nh + a, j * nw + b).
        x = x.view(B, C, wh, nh, ww, nw).permute(0, 3, 5, 2, 4, 1)
        return x.reshape(B * nh * nw, wh * ww, C)

    def unpartition(self, t: torch.Tensor, B: int, Hp: int, Wp: int) -> torch.Tensor:
        """The inverse of :meth:`partition`: (B * nW, wh * ww, C) -> (B, C, Hp, Wp)."""
        if not self.dilated:
            return window_reverse(t, self.window, Hp, Wp).permute(0, 3, 1, 2)
        nh, nw, wh, ww = self.layout(Hp, Wp)
        t = t.view(B, nh, nw, wh, ww, -1).permute(0, 5, 3, 1, 4, 2)
        return t.reshape(B, -1, Hp, Wp)
