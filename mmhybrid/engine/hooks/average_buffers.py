"""Keep BatchNorm statistics equal on every rank of a CPU-distributed run."""
from typing import Optional

import torch
import torch.distributed as dist
from mmengine.dist import is_distributed
from mmengine.hooks import Hook
from torch._utils import _flatten_dense_tensors, _unflatten_dense_tensors

from mmhybrid.registry import HOOKS


@HOOKS.register_module()
class AverageBuffersHook(Hook):
    """Average the model's floating-point buffers (BatchNorm running statistics) over the
    ranks after every training iteration.

    torch's SyncBatchNorm needs a GPU, so a CPU-distributed run trains with plain BatchNorms
    (``mmhybrid.utils.adapt_for_cpu_distributed`` adds this hook there): each rank would track
    its own statistics. Averaging them keeps every rank's weights, and the checkpoint rank 0
    writes, equal, and reflects all ranks' data.
    """

    def after_train_iter(self, runner, batch_idx: int, data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if not is_distributed():
            return
        buffers = [b for b in runner.model.buffers() if torch.is_floating_point(b)]
        if not buffers:
            return
        flat = _flatten_dense_tensors(buffers)
        dist.all_reduce(flat)
        flat /= dist.get_world_size()
        for buffer, synced in zip(buffers, _unflatten_dense_tensors(flat, buffers)):
            buffer.copy_(synced)
