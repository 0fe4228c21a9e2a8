from typing import Any, Callable, Dict, Hashable, Iterable, List, Sequence, Tuple, Union

import torch
import torch.nn as nn


def is_capturing() -> bool:
    """Whether the forward is being compiled, traced or exported (a graph, not a run)."""
    return (torch.compiler.is_compiling() or torch.jit.is_tracing()
            or torch.onnx.is_in_onnx_export())


def records_grad(tensors: Iterable[torch.Tensor]) -> bool:
    """Whether autograd records an op on ``tensors`` in a run (grad mode, one of them
    requires grad, not :func:`is_capturing`)."""
    return (torch.is_grad_enabled() and any(t.requires_grad for t in tensors)
            and not is_capturing())


class ParameterCache:
    """Tensors derived from parameters (gathered or resized attention biases, folded
    BatchNorms), computed once and reused while nothing can change them or needs their graph.

    Each slot holds one entry, reused when autograd does not record (no grad mode, or
    parameters that do not require grad) and the parameters (version, storage, dtype, device)
    and ``variant`` (e.g. the input size) are those it was computed for; it is recomputed on
    every call while training, compiling, tracing or exporting, so gradients and graphs are
    those of the plain computation.

    Version counters miss two kinds of change: BatchNorm statistics updated in a training
    forward and weights written through ``.data`` (mmengine's EMAHook swaps weights that way
    before validating). Both come before a ``train()`` / ``eval()`` call, so the backbones
    empty their caches there (:func:`clear_parameter_caches`), and when weights are loaded or
    moved.
    """

    def __init__(self) -> None:
        self._entries: Dict[Hashable, Tuple[tuple, Any]] = {}
        self._listed: Dict[Hashable, List[torch.Tensor]] = {}

    def get(self, slot: Hashable,
            params: Union[Sequence[torch.Tensor], nn.Module, Sequence[nn.Module]],
            compute: Callable[[], Any], variant: Hashable = None) -> Any:
        """The cached ``compute()`` of ``slot``, derived from ``params``: tensors, or modules
        for all their parameters and buffers (listed once, until :meth:`clear`, because
        walking a block's submodules costs more than the stamp)."""
        modules = [params] if isinstance(params, nn.Module) else None
        if modules is None and params and isinstance(params[0], nn.Module):
            modules = params
        if modules is not None:
            params = self._listed.get(slot)
            if params is None:
                params = [t for m in modules for t in (*m.parameters(), *m.buffers())]
        if is_capturing() or records_grad(params):
            return compute()
        if modules is not None:
            self._listed[slot] = params
        stamp = (variant, *((p._version, p.data_ptr(), p.dtype, p.device) for p in params))
        entry = self._entries.get(slot)
        if entry is None or entry[0] != stamp:
            entry = self._entries[slot] = (stamp, compute())
        return entry[1]

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()
        self._listed.clear()


def clear_parameter_caches(module: nn.Module) -> None:
    """Empty the :class:`ParameterCache` of ``module`` and of all its submodules."""
    for m in module.modules():
        for value in vars(m).values():
            if isinstance(value, ParameterCache):
                value.clear()
