"""Contiguous and dilated window partitions of NCHW maps (HLG's backbone and head)."""
from typing import Tuple

import torch


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
        B, C, Hp, Wp = x.shape
        nh, nw, wh, ww = self.layout(Hp, Wp)
        if self.dilated:  # token (i, j) of window (a, b) sits at (i * nh + a, j * nw + b)
            x = x.view(B, C, wh, nh, ww, nw).permute(0, 3, 5, 2, 4, 1)
        else:
            x = x.view(B, C, nh, wh, nw, ww).permute(0, 2, 4, 3, 5, 1)
        return x.reshape(B * nh * nw, wh * ww, C)

    def unpartition(self, t: torch.Tensor, B: int, Hp: int, Wp: int) -> torch.Tensor:
        """The inverse of :meth:`partition`: (B * nW, wh * ww, C) -> (B, C, Hp, Wp)."""
        nh, nw, wh, ww = self.layout(Hp, Wp)
        t = t.view(B, nh, nw, wh, ww, -1)
        if self.dilated:
            t = t.permute(0, 5, 3, 1, 4, 2)
        else:
            t = t.permute(0, 5, 1, 3, 2, 4)
        return t.reshape(B, -1, Hp, Wp)
