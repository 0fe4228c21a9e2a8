import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.modules.batchnorm import _BatchNorm


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of an NCHW map (per pixel, biased variance).

    Args:
        num_channels (int): Channels.
        eps (float): Added to the variance.
    """

    def __init__(self, num_channels: int, eps: float = 1e-6) -> None:
        super().__init__(num_channels, eps=eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias,
                         self.eps)
        return x.permute(0, 3, 1, 2)


class PooledBatchNorm2d(nn.BatchNorm2d):
    """BatchNorm that also trains on a batch of one pooled (B=1, C, 1, 1) map.

    With one value per channel there are no batch statistics (torch raises "Expected more
    than 1 value per channel when training"; the official code fails the same way): such a
    batch is normalised with the running statistics, which it does not update. Every other
    batch, and every eval forward, is plain BatchNorm, so eval outputs are unchanged.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if _without_batch_statistics(self, x):
            return _normalise_with_running_statistics(self, x)
        return super().forward(x)


def _without_batch_statistics(norm: nn.Module, x: torch.Tensor) -> bool:
    """Whether a BatchNorm in training gets one value per channel (a pooled (1, C, 1, 1) map)
    and so has no batch statistics; a SyncBatchNorm over several processes has them."""
    return (norm.training and isinstance(norm, _BatchNorm) and x.numel() == x.shape[1]
            and not syncs_across_processes(norm))


def syncs_across_processes(norm: nn.Module) -> bool:
    """Whether ``norm`` is a SyncBatchNorm that takes its batch statistics over several
    processes (one process: a plain BatchNorm)."""
    return (isinstance(norm, nn.SyncBatchNorm) and dist.is_available() and dist.is_initialized()
            and dist.get_world_size() > 1)


def _normalise_with_running_statistics(norm: _BatchNorm, x: torch.Tensor) -> torch.Tensor:
    """``norm`` applied with its running statistics, which it does not update."""
    return F.batch_norm(x, norm.running_mean, norm.running_var, norm.weight, norm.bias, False,
                        0., norm.eps)


def pooled_batch_norm(norm: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``norm(x)`` for a norm of any kind (BN, SyncBN, reverted SyncBN, GN, ...) that may get a
    pooled map with one value per channel, (B=1, C, 1, 1), in training: for a BatchNorm such a
    batch is normalised with the running statistics, as :class:`PooledBatchNorm2d` does."""
    if _without_batch_statistics(norm, x):
        return _normalise_with_running_statistics(norm, x)
    return norm(x)
