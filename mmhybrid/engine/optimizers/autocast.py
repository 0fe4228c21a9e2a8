"""Mixed-precision training in bfloat16, on CPUs as well as GPUs."""
import contextlib
from typing import Iterator, Union

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper
from mmengine.runner.amp import autocast

from mmhybrid.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward runs under ``torch.autocast`` (bfloat16 by default), on
    the device mmengine trains on, CPU included (mmengine's ``AmpOptimWrapper`` needs a GPU).

    bfloat16 has float32's exponent range, so losses and gradients neither overflow nor
    underflow and need no loss scaler; ``--amp`` on a machine without a GPU uses this.

    Args:
        dtype: The autocast dtype: ``'bfloat16'`` or ``'float16'`` (GPUs only, without loss
            scaling: prefer mmengine's ``AmpOptimWrapper`` there).
        **kwargs: As ``OptimWrapper``.
    """

    def __init__(self, dtype: Union[str, torch.dtype] = 'bfloat16', **kwargs) -> None:
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype) if isinstance(dtype, str) else dtype
        if self.cast_dtype not in (torch.bfloat16, torch.float16):
            raise ValueError(f'AutocastOptimWrapper: dtype must be bfloat16 or float16, got '
                             f'{dtype}')

    @contextlib.contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        with super().optim_context(model), autocast(dtype=self.cast_dtype):
            yield
