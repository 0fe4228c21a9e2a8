"""FLOP counting with mmengine's jit-traced (fvcore-style) analyzer, attention included.

mmengine's FlopAnalyzer counts matmuls but knows nothing of
``scaled_dot_product_attention``, which every mmhybrid attention uses: without a handle its
two matmuls would be silently dropped.
"""
from typing import Any, List, Sequence

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer
from mmengine.analysis.jit_handles import get_shape

from ..models.layers.reparam import unfolded


def sdpa_flop_jit(inputs: List[Any], outputs: List[Any]) -> int:
    """Multiply-adds of softmax(Q K^T) V: B*h*N*Nk*(d + dv) (the softmax is not counted)."""
    q, k, v = (get_shape(t) for t in inputs[:3])
    *batch, n, d = q
    nk, dv = k[-2], v[-1]
    return int(torch.tensor(batch).prod().item()) * n * nk * (d + dv)


def count_flops(model: nn.Module, inputs: Sequence[torch.Tensor],
                with_attention: bool = True) -> int:
    """Total multiply-adds of ``model(*inputs)`` (one per FMA, as fvcore and the papers).

    Args:
        model: The model, in eval mode.
        inputs: Its positional inputs.
        with_attention: Count the attention matmuls inside scaled_dot_product_attention.
    """
    analyzer = FlopAnalyzer(model, tuple(inputs))
    analyzer.set_op_handle('aten::scaled_dot_product_attention',
                           sdpa_flop_jit if with_attention else None)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    return analyzer.total()


_NORMS = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.LayerNorm,
          nn.modules.instancenorm._InstanceNorm)
_ACTIVATIONS = (nn.ReLU, nn.PReLU, nn.ELU, nn.LeakyReLU, nn.ReLU6)
_POOLS = (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d,
          nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d,
          nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d)


def _module_flops(module: nn.Module, inputs: tuple, output: Any) -> int:
    """One module's count in mmcv 1.x's ``get_model_complexity_info`` convention."""
    if not isinstance(output, torch.Tensor) or not inputs \
            or not isinstance(inputs[0], torch.Tensor):
        return 0
    x = inputs[0]
    if isinstance(module, nn.modules.conv._ConvNd):
        kernel = int(torch.tensor(module.kernel_size).prod())
        # A transposed conv applies the kernel at every input position, a conv at every output.
        positions = x if isinstance(module, nn.modules.conv._ConvTransposeNd) else output
        count = positions.shape[0] * int(torch.tensor(positions.shape[2:]).prod())
        flops = count * kernel * module.in_channels * module.out_channels // module.groups
        if module.bias is not None:
            flops += output.shape[0] * int(torch.tensor(output.shape[2:]).prod()) \
                * module.out_channels
        return flops
    if isinstance(module, nn.Linear):
        return x.numel() * output.shape[-1]
    if isinstance(module, _NORMS):
        affine = getattr(module, 'affine', None) or getattr(module, 'elementwise_affine', False)
        return x.numel() * (2 if affine else 1)
    if isinstance(module, _ACTIVATIONS):
        return output.numel()
    if isinstance(module, _POOLS):
        return x.numel()
    if isinstance(module, nn.Upsample):
        return output.numel()
    return 0


def count_flops_module_hooks(model: nn.Module, inputs: Sequence[torch.Tensor]) -> int:
    """Total FLOPs of ``model(*inputs)`` as mmcv 1.x's hook-based counter gives them.

    It sees modules only: convs and linears as multiply-adds (conv biases added, linear biases
    not), norms and activations (ReLU family, not GELU) per element, pooling per input and
    upsampling per output element; functional convs, matmuls and attention are not counted.
    TransXNet's README column is this count.

    Args:
        model: The model, in eval mode.
        inputs: Its positional inputs.
    """
    total = [0]

    def hook(module: nn.Module, args: tuple, output: Any) -> None:
        total[0] += _module_flops(module, args, output)

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    try:
        with torch.no_grad(), unfolded():
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    return total[0]
