"""TransXNet: dual dynamic token mixers (IDConv + OSRA) in an NCHW hybrid backbone.

Paper: "TransXNet: Learning Both Global and Local Dynamics with a Dual Dynamic Token Mixer
for Visual Recognition", https://arxiv.org/abs/2310.19380. The math follows the official code
(LMMMEng/TransXNet @ ce2c73d) exactly; module names inside a block are the official ones so
that the converter only renames the top level.
"""
import math
import re
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule, build_activation_layer, build_norm_layer
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_

from mmhybrid.registry import MODELS
from ..layers import (DepthwiseConv2d, LayerScale2d, PointwiseConv2d, adaptive_avg_pool2d,
                      batch_norm_chain, biased_attention, depthwise_conv2d, pointwise_conv2d,
                      pooled_batch_norm)
from ..layers.reparam import (FoldedConvModule, add_identity, bn_affine, can_fold, fold_affine,
                              fold_bn_conv1x1, fold_conv_bn, foldable_norms, gelu_)
from ..utils import ParameterCache, parse_arch, trunc_normal_init
from ..utils.convert import StateDict, convert_official
from .base import HybridBackbone

GELU = dict(type='GELU')


class DynamicConv2d(BaseModule):
    """IDConv: an input-dependent depthwise conv mixing ``num_groups`` candidate kernels.

    Per kernel tap, a softmax over the candidates (computed from a KxK pooled map) weighs the
    kernels; the bias is weighed the same way from the global mean, through the same ``proj``.

    Args:
        dim (int): Channels.
        kernel_size (int): Size K of the dynamic kernel.
        num_groups (int): Number G of candidate kernels.
        reduction (int): Channel reduction of the attention branch.
        norm_cfg (dict): Norm of the attention branch.
    """

    def __init__(self,
                 dim: int,
                 kernel_size: int = 7,
                 num_groups: int = 2,
                 reduction: int = 4,
                 norm_cfg: dict = dict(type='BN')) -> None:
        super().__init__()
        self.num_groups = num_groups
        self.kernel_size = kernel_size
        self.weight = nn.Parameter(torch.empty(num_groups, dim, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.empty(num_groups, dim))
        self.pool = nn.AdaptiveAvgPool2d((kernel_size, kernel_size))
        self.proj = nn.Sequential(
            ConvModule(dim, dim // reduction, 1, norm_cfg=norm_cfg, act_cfg=GELU,
                       conv_cfg=dict(type=PointwiseConv2d)),
            PointwiseConv2d(dim // reduction, dim * num_groups, 1))
        trunc_normal_(self.weight, std=0.02)
        trunc_normal_(self.bias, std=0.02)

    def _project(self, x: torch.Tensor) -> torch.Tensor:
        # The bias branch's pooled map has one value per channel: at batch 1 in training its
        # norm has no batch statistics, whatever the norm's kind (pooled_batch_norm).
        squeeze, expand = self.proj
        x = pooled_batch_norm(squeeze.norm, squeeze.conv(x))
        return expand(squeeze.activate(x))

    def folded(self) -> Tuple[torch.Tensor, ...]:
        """Inference tensors: ``proj`` with its BatchNorm folded into the squeeze conv, and
        the candidate kernels with their biases as one (G, C, K*K + 1) tensor."""
        squeeze, expand = self.proj
        w, b = fold_conv_bn(squeeze.conv.weight, squeeze.conv.bias, squeeze.norm)
        G, C = self.bias.shape
        return w, b, expand.weight, expand.bias, torch.cat(
            [self.weight.reshape(G, C, -1), self.bias.unsqueeze(-1)], dim=-1)

    def _folded_forward(self, x: torch.Tensor, folded: Tuple[torch.Tensor, ...]
                        ) -> torch.Tensor:
        # The pooled KxK map and the global mean side by side go through proj (1x1 convs and
        # an eval-mode BatchNorm act per position) and the softmax together.
        B, C, H, W = x.shape
        K = self.kernel_size
        w1, b1, w2, b2, kernels = folded
        pooled = torch.cat([self.pool(x).reshape(B, C, 1, K * K),
                            x.mean(dim=(-2, -1)).reshape(B, C, 1, 1)], dim=-1)
        logits = pointwise_conv2d(gelu_(pointwise_conv2d(pooled, w1, b1)), w2, b2)
        mixed = (logits.reshape(B, self.num_groups, C, K * K + 1).softmax(dim=1)
                 * kernels).sum(dim=1)
        out = F.conv2d(x.reshape(1, B * C, H, W), mixed[..., :-1].reshape(B * C, 1, K, K),
                       mixed[..., -1].reshape(B * C), padding=K // 2, groups=B * C)
        return out.reshape(B, C, H, W)

    def forward(self, x: torch.Tensor,
                folded: Optional[Tuple[torch.Tensor, ...]] = None) -> torch.Tensor:
        """``folded``: :meth:`folded`'s tensors, for the inference path."""
        if folded is not None:
            return self._folded_forward(x, folded)
        B, C, H, W = x.shape
        G, K = self.num_groups, self.kernel_size
        # torch's ONNX exporter refuses adaptive pooling to sizes that do not divide the input.
        pooled = adaptive_avg_pool2d(x, K) if torch.onnx.is_in_onnx_export() else self.pool(x)
        scale = self._project(pooled).reshape(B, G, C, K, K).softmax(dim=1)
        weight = (scale * self.weight.unsqueeze(0)).sum(dim=1)
        bias_scale = self._project(x.mean(dim=(-2, -1), keepdim=True)).reshape(
            B, G, C).softmax(dim=1)
        bias = (bias_scale * self.bias.unsqueeze(0)).sum(dim=1)
        # One grouped conv over the batch folded into channels: a per-sample depthwise conv.
        out = depthwise_conv2d(
            x.reshape(1, B * C, H, W),
            weight.reshape(B * C, 1, K, K),
            bias.reshape(B * C),
            padding=(K // 2, K // 2))
        return out.reshape(B, C, H, W)


class OSRAttention(BaseModule):
    """OSRA: attention whose keys/values come from an overlapping strided depthwise reduction.

    Args:
        dim (int): Channels.
        num_heads (int): Attention heads.
        sr_ratio (int): Spatial reduction of keys and values (1 = none).
        norm_cfg (dict): Norm of the reduction convs.
    """

    def __init__(self,
                 dim: int,
                 num_heads: int,
                 sr_ratio: int,
                 norm_cfg: dict = dict(type='BN')) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'OSRA channels {dim} are not divisible by {num_heads} heads')
        self.num_heads = num_heads
        self.sr_ratio = sr_ratio
        self.q = PointwiseConv2d(dim, dim, 1)
        self.kv = PointwiseConv2d(dim, dim * 2, 1)
        if sr_ratio > 1:
            k = sr_ratio + 3
            self.sr = nn.Sequential(
                ConvModule(dim, dim, k, stride=sr_ratio, padding=k // 2, groups=dim,
                           norm_cfg=norm_cfg, act_cfg=GELU),
                ConvModule(dim, dim, 1, groups=dim, norm_cfg=norm_cfg, act_cfg=None,
                           conv_cfg=dict(type=DepthwiseConv2d)))
        else:
            self.sr = nn.Identity()
        self.local_conv = DepthwiseConv2d(dim, dim, 3, padding=1, groups=dim)

    def folded(self) -> Tuple[torch.Tensor, ...]:
        """Inference tensors: the reduction convs with their BatchNorms folded in (the second
        one, a depthwise 1x1, as a per-channel scale and shift) and the local conv with its
        shortcut."""
        local = (add_identity(self.local_conv.weight), self.local_conv.bias)
        if self.sr_ratio == 1:
            return local
        reduce, pointwise = self.sr
        scale, shift = fold_conv_bn(pointwise.conv.weight.flatten(), pointwise.conv.bias,
                                    pointwise.norm)
        return fold_conv_bn(reduce.conv.weight, reduce.conv.bias, reduce.norm) + (
            scale.view(1, -1, 1, 1), shift.view(1, -1, 1, 1)) + local

    def _keys_values(self, x: torch.Tensor, folded: Optional[Tuple[torch.Tensor, ...]]
                     ) -> torch.Tensor:
        if folded is None:
            kv = self.sr(x)
            return self.local_conv(kv) + kv
        if self.sr_ratio > 1:
            reduce = self.sr[0].conv
            w, b, scale, shift = folded[:4]
            x = gelu_(F.conv2d(x, w, b, reduce.stride, reduce.padding, groups=x.shape[1]))
            x = x.mul_(scale).add_(shift)
        return F.conv2d(x, *folded[-2:], padding=1, groups=x.shape[1])

    def forward(self, x: torch.Tensor, pos_bias: Optional[torch.Tensor] = None,
                folded: Optional[Tuple[torch.Tensor, ...]] = None) -> torch.Tensor:
        """``folded``: :meth:`folded`'s tensors, for the inference path."""
        B, C, H, W = x.shape
        h = self.num_heads
        # (B, heads, tokens, head dim) with unit stride last, which the fused CPU attention
        # kernel needs (a transposed view falls back to the unfused math path).
        q = self.q(x).reshape(B, h, C // h, H * W).transpose(-1, -2).contiguous()
        kv = self._keys_values(x, folded)
        k, v = self.kv(kv).reshape(B, 2, h, C // h, -1).transpose(-1, -2).contiguous().unbind(1)
        out = biased_attention(q, k, v, pos_bias)
        return out.transpose(-1, -2).reshape(B, C, H, W)


class HybridTokenMixer(BaseModule):
    """D-Mixer: IDConv on the first channel half, OSRA on the second, then the STE.

    Args:
        dim (int): Channels.
        kernel_size (int): IDConv kernel size.
        num_groups (int): IDConv candidate kernels.
        num_heads (int): OSRA heads.
        sr_ratio (int): OSRA spatial reduction.
        reduction_ratio (int): STE squeeze ratio (inner width ``max(16, dim // ratio)``).
        norm_cfg (dict): Norm of the internal BatchNorms.
    """

    def __init__(self,
                 dim: int,
                 kernel_size: int,
                 num_groups: int,
                 num_heads: int,
                 sr_ratio: int,
                 reduction_ratio: int = 8,
                 norm_cfg: dict = dict(type='BN')) -> None:
        super().__init__()
        if dim % 2:
            raise ValueError(f'TransXNet stage width {dim} must be even (it is split in halves)')
        half = dim // 2
        self.local_unit = DynamicConv2d(half, kernel_size, num_groups, norm_cfg=norm_cfg)
        self.global_unit = OSRAttention(half, num_heads, sr_ratio, norm_cfg=norm_cfg)
        inner = max(16, dim // reduction_ratio)
        self.proj = nn.Sequential(
            DepthwiseConv2d(dim, dim, 3, padding=1, groups=dim),
            build_activation_layer(GELU),
            build_norm_layer(norm_cfg, dim)[1],
            PointwiseConv2d(dim, inner, 1),
            build_activation_layer(GELU),
            build_norm_layer(norm_cfg, inner)[1],
            PointwiseConv2d(inner, dim, 1),
            build_norm_layer(norm_cfg, dim)[1])

    def folded(self, layer_scale: LayerScale2d) -> Tuple[Tuple[torch.Tensor, ...], ...]:
        """Inference tensors of the STE with its BatchNorms and the block's ``layer_scale``
        folded into its convs (the result is ``layer_scale(ste(x) + x)``), OSRA's and IDConv's."""
        dw, _, bn1, conv1, _, bn2, conv2, bn3 = self.proj
        w1, b1 = fold_bn_conv1x1(bn1, conv1.weight, conv1.bias)
        w2, b2 = fold_conv_bn(*fold_bn_conv1x1(bn2, conv2.weight, conv2.bias), bn3)
        scale = layer_scale.weight.view(-1)
        ste = (dw.weight, dw.bias, w1, b1, *fold_affine(w2, b2, scale, layer_scale.bias),
               scale.view(1, -1, 1, 1))
        return ste, self.global_unit.folded(), self.local_unit.folded()

    def forward(self, x: torch.Tensor, pos_bias: Optional[torch.Tensor] = None,
                folded: Optional[Tuple[Tuple[torch.Tensor, ...], ...]] = None) -> torch.Tensor:
        """``folded``: :meth:`folded`'s tensors, for the inference path."""
        x1, x2 = torch.chunk(x, 2, dim=1)
        x = torch.cat([self.local_unit(x1, None if folded is None else folded[2]),
                       self.global_unit(x2, pos_bias, None if folded is None else folded[1])],
                      dim=1)
        if folded is None:
            # In training the GELU -> BN -> 1x1 conv chains keep only their inputs for the
            # backward (batch_norm_chain).
            dw, act1, norm1, conv1, act2, norm2, conv2, norm3 = self.proj
            y = batch_norm_chain(dw(x), (act1, norm1, conv1))
            y = batch_norm_chain(y, (act2, norm2, conv2))
            return batch_norm_chain(y, (norm3, )) + x
        dw_w, dw_b, w1, b1, w2, b2, scale = folded[0]
        y = gelu_(F.conv2d(x, dw_w, dw_b, padding=1, groups=x.shape[1]))
        y = gelu_(pointwise_conv2d(y, w1, b1))
        return pointwise_conv2d(y, w2, b2).addcmul_(x, scale)


class MultiScaleDWConv(BaseModule):
    """Depthwise convs of kernels 1/3/5/7 on four channel chunks.

    Args:
        dim (int): Channels; the first chunk takes the remainder of ``dim // 4``.
        scales (Sequence[int]): Kernel size of each chunk.
    """

    def __init__(self, dim: int, scales: Sequence[int] = (1, 3, 5, 7)) -> None:
        super().__init__()
        n = len(scales)
        self.channels = [dim - (n - 1) * (dim // n)] + [dim // n] * (n - 1)
        self.proj = nn.ModuleList(
            DepthwiseConv2d(c, c, k, padding=k // 2, groups=c)
            for c, k in zip(self.channels, scales))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        chunks = torch.split(x, self.channels, dim=1)
        return torch.cat([conv(c) for conv, c in zip(self.proj, chunks)], dim=1)


class MultiScaleFFN(BaseModule):
    """MS-FFN: 1x1 conv, multi-scale depthwise convs with a residual, 1x1 conv.

    Args:
        dim (int): Input and output channels.
        hidden_dim (int): Hidden channels.
        drop (float): Dropout after the hidden activation and at the output.
        norm_cfg (dict): Norm of the internal BatchNorms.
    """

    def __init__(self,
                 dim: int,
                 hidden_dim: int,
                 drop: float = 0.,
                 norm_cfg: dict = dict(type='BN')) -> None:
        super().__init__()
        self.fc1 = nn.Sequential(
            PointwiseConv2d(dim, hidden_dim, 1, bias=False),
            build_activation_layer(GELU),
            build_norm_layer(norm_cfg, hidden_dim)[1])
        self.dwconv = MultiScaleDWConv(hidden_dim)
        self.act = build_activation_layer(GELU)
        self.norm = build_norm_layer(norm_cfg, hidden_dim)[1]
        self.fc2 = nn.Sequential(
            PointwiseConv2d(hidden_dim, dim, 1, bias=False),
            build_norm_layer(norm_cfg, dim)[1])
        self.drop = nn.Dropout(drop)

    def folded(self, layer_scale: LayerScale2d) -> Tuple[torch.Tensor, ...]:
        """Inference tensors: fc1's BatchNorm as a scale and shift, the multi-scale convs with
        the shortcut in their centre taps, and fc2 with the BatchNorms around it and the
        block's ``layer_scale`` folded in."""
        scale, shift = bn_affine(self.fc1[2])
        w2, b2 = fold_conv_bn(*fold_bn_conv1x1(self.norm, self.fc2[0].weight, None), self.fc2[1])
        w2, b2 = fold_affine(w2, b2, layer_scale.weight.view(-1), layer_scale.bias)
        dw = [t for conv in self.dwconv.proj for t in (add_identity(conv.weight), conv.bias)]
        return scale.view(1, -1, 1, 1), shift.view(1, -1, 1, 1), w2, b2, *dw

    def forward(self, x: torch.Tensor, folded: Optional[Tuple[torch.Tensor, ...]] = None,
                layer_scale: Optional[LayerScale2d] = None) -> torch.Tensor:
        """``folded``: :meth:`folded`'s tensors (which include the block's layer scale), for
        the inference path; ``layer_scale``: applied to the output of the plain path."""
        if folded is None:
            # In training the GELU -> BN (-> 1x1 conv) chains keep only their inputs for the
            # backward, and the layer scale folds into fc2's BN (batch_norm_chain).
            fc1, act1, norm1 = self.fc1
            conv2, norm2 = self.fc2
            x = batch_norm_chain(fc1(x), (act1, norm1))
            x = self.dwconv(x) + x
            if self.training and self.drop.p > 0:
                x = conv2(self.drop(batch_norm_chain(x, (self.act, self.norm))))
                x = self.drop(norm2(x))
                return x if layer_scale is None else layer_scale(x)
            x = batch_norm_chain(x, (self.act, self.norm, conv2))
            return batch_norm_chain(x, (norm2, ) if layer_scale is None else (norm2, layer_scale))
        scale, shift, w2, b2 = folded[:4]
        x = gelu_(pointwise_conv2d(x, self.fc1[0].weight)).mul_(scale).add_(shift)
        chunks = torch.split(x, self.dwconv.channels, dim=1)
        x = torch.cat([
            depthwise_conv2d(c, w, b, (w.shape[-1] // 2, ) * 2)
            for c, w, b in zip(chunks, folded[4::2], folded[5::2])
        ], dim=1)
        return pointwise_conv2d(gelu_(x), w2, b2)


class TransXNetBlock(BaseModule):
    """DPE, then D-Mixer and MS-FFN, each pre-normed with GN(1), layer-scaled and drop-pathed.

    Args:
        dim (int): Channels.
        kernel_size (int): IDConv kernel size.
        num_groups (int): IDConv candidate kernels.
        num_heads (int): OSRA heads.
        sr_ratio (int): OSRA spatial reduction.
        mlp_ratio (float): MS-FFN hidden ratio.
        drop (float): MS-FFN dropout.
        drop_path (float): Stochastic depth of both residual branches.
        layer_scale_init_value (float): Initial layer-scale weight.
        norm_cfg (dict): Norm of the internal BatchNorms.
    """

    def __init__(self,
                 dim: int,
                 kernel_size: int,
                 num_groups: int,
                 num_heads: int,
                 sr_ratio: int,
                 mlp_ratio: float,
                 drop: float = 0.,
                 drop_path: float = 0.,
                 layer_scale_init_value: float = 1e-5,
                 norm_cfg: dict = dict(type='BN')) -> None:
        super().__init__()
        self.pos_embed = DepthwiseConv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm1 = nn.GroupNorm(1, dim)
        self.token_mixer = HybridTokenMixer(
            dim, kernel_size, num_groups, num_heads, sr_ratio, norm_cfg=norm_cfg)
        self.norm2 = nn.GroupNorm(1, dim)
        self.mlp = MultiScaleFFN(dim, int(dim * mlp_ratio), drop=drop, norm_cfg=norm_cfg)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()
        self.layer_scale_1 = LayerScale2d(dim, layer_scale_init_value)
        self.layer_scale_2 = LayerScale2d(dim, layer_scale_init_value)
        proj, sr = self.token_mixer.proj, self.token_mixer.global_unit.sr
        self._foldable = foldable_norms(
            proj[2], proj[5], proj[7], self.mlp.fc1[2], self.mlp.norm, self.mlp.fc2[1],
            self.token_mixer.local_unit.proj[0].norm,
            *(conv.norm for conv in (sr if isinstance(sr, nn.Sequential) else [])))
        self._folded = ParameterCache()

    def folded(self) -> tuple:
        """The block's inference tensors (see :mod:`mmhybrid.models.layers.reparam`)."""
        return ((add_identity(self.pos_embed.weight), self.pos_embed.bias),
                self.token_mixer.folded(self.layer_scale_1),
                self.mlp.folded(self.layer_scale_2))

    def forward(self, x: torch.Tensor, pos_bias: Optional[torch.Tensor] = None) -> torch.Tensor:
        if self._foldable and can_fold(self):
            # Inference: BatchNorms, layer scales and shortcuts folded into the convs.
            pos, mixer, mlp = self._folded.get('block', self, self.folded)
            x = F.conv2d(x, *pos, padding=3, groups=x.shape[1])
            x = x + self.token_mixer(self.norm1(x), pos_bias, mixer)
            return x.add_(self.mlp(self.norm2(x), mlp))
        x = x + self.pos_embed(x)
        x = x + self.drop_path(self.layer_scale_1(self.token_mixer(self.norm1(x), pos_bias)))
        return x + self.drop_path(self.mlp(self.norm2(x), layer_scale=self.layer_scale_2))


@MODELS.register_module()
class TransXNet(HybridBackbone):
    """TransXNet backbone for classification and dense prediction.

    Paper: https://arxiv.org/abs/2310.19380 (official code: LMMMEng/TransXNet).

    Args:
        arch (str | dict): ``'t'``, ``'s'``, ``'b'`` (or ``tiny/small/base``), or a dict with
            the keys of :attr:`arch_zoo` entries.
        in_channels (int): Input channels.
        img_size (int): Size the per-stage attention position biases are stored for;
            other input sizes resize them bicubically, as the official code does.
        out_indices (int | Sequence[int], optional): Stages (0-3) whose outputs are
            returned, each after its own output norm (None: all, or the last for
            ``avg_featmap``).
        out_type (str): ``'featmap'`` (NCHW maps) or ``'avg_featmap'`` (the official
            classifier's features: the last output norm, then the spatial mean).
        frozen_stages (int): -1 freezes nothing, 0 the stem, k the stem and stages 1..k
            (with their downsamplings, position biases and output norms).
        norm_eval (bool): Keep BatchNorms in eval mode during training.
        drop_rate (float): Dropout inside the MS-FFNs.
        drop_path_rate (float): Stochastic depth, linear over all blocks from 0.
        layer_scale_init_value (float): Initial layer-scale weight.
        norm_cfg (dict): Norm of the stem, downsamplings and internal BatchNorms.
        out_norm_cfg (dict): Norm of each output; GroupNorm(1) as in the official dense code.
        with_cp (bool): Gradient checkpointing per block.
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=..., prefix=...)``
            loads a converted or an official checkpoint (official keys are converted).

    Example:
        >>> import torch
        >>> from mmhybrid.models import TransXNet
        >>> outs = TransXNet('t').eval()(torch.rand(1, 3, 224, 224))
        >>> [tuple(o.shape) for o in outs]
        [(1, 48, 56, 56), (1, 96, 28, 28), (1, 224, 14, 14), (1, 448, 7, 7)]
    """

    arch_zoo: Dict[str, dict] = {
        **dict.fromkeys(['t', 'tiny'], dict(
            depths=[3, 3, 9, 3], embed_dims=[48, 96, 224, 448], num_heads=[1, 2, 4, 8],
            num_groups=[2, 2, 2, 2], mlp_ratios=[4, 4, 4, 4])),
        **dict.fromkeys(['s', 'small'], dict(
            depths=[4, 4, 12, 4], embed_dims=[64, 128, 320, 512], num_heads=[1, 2, 5, 8],
            num_groups=[2, 2, 3, 4], mlp_ratios=[6, 6, 4, 4])),
        **dict.fromkeys(['b', 'base'], dict(
            depths=[4, 4, 21, 4], embed_dims=[76, 152, 336, 672], num_heads=[2, 4, 8, 16],
            num_groups=[2, 2, 4, 4], mlp_ratios=[8, 8, 4, 4])),
    }
    arch_defaults = dict(sr_ratios=[8, 4, 2, 1], kernel_size=7)
    num_stages = 4

    def __init__(self,
                 arch: Union[str, dict] = 't',
                 in_channels: int = 3,
                 img_size: int = 224,
                 out_indices: Optional[Union[int, Sequence[int]]] = None,
                 out_type: str = 'featmap',
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 layer_scale_init_value: float = 1e-5,
                 norm_cfg: dict = dict(type='BN'),
                 out_norm_cfg: dict = dict(type='GN', num_groups=1),
                 with_cp: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.arch = parse_arch(self, arch)
        if img_size < 32:
            raise ValueError(f'TransXNet img_size must be at least 32, got {img_size}')
        self._setup_outputs(out_indices, out_type, frozen_stages, norm_eval, with_cp)
        depths = self.depths = self.arch['depths']
        dims = self.embed_dims = self.arch['embed_dims']
        self.sr_ratios = self.arch['sr_ratios']

        self.patch_embed = FoldedConvModule(
            in_channels, dims[0], 7, stride=4, padding=3, norm_cfg=norm_cfg, act_cfg=None)

        # One dense (N x Nk) attention bias per stage, shared by the stage's blocks.
        self.relative_pos_enc = nn.ParameterList()
        size = math.ceil(img_size / 4)
        for i in range(self.num_stages):
            s = self.sr_ratios[i]
            num_keys = math.ceil(size / s) ** 2
            self.relative_pos_enc.append(
                nn.Parameter(torch.zeros(1, self.arch['num_heads'][i], size * size, num_keys)))
            size = math.ceil(size / 2)
        self._pos_bias_cache = ParameterCache()

        dpr = torch.linspace(0, drop_path_rate, sum(depths)).tolist()
        self.downsample_layers = nn.ModuleList(
            FoldedConvModule(dims[i], dims[i + 1], 3, stride=2, padding=1, norm_cfg=norm_cfg,
                             act_cfg=None) for i in range(self.num_stages - 1))
        self.stages = nn.ModuleList()
        for i in range(self.num_stages):
            first = sum(depths[:i])
            self.stages.append(nn.ModuleList(
                TransXNetBlock(
                    dims[i],
                    kernel_size=self.arch['kernel_size'],
                    num_groups=self.arch['num_groups'][i],
                    num_heads=self.arch['num_heads'][i],
                    sr_ratio=self.sr_ratios[i],
                    mlp_ratio=self.arch['mlp_ratios'][i],
                    drop=drop_rate,
                    drop_path=dpr[first + j],
                    layer_scale_init_value=layer_scale_init_value,
                    norm_cfg=norm_cfg) for j in range(depths[i])))
        for i in self.out_indices:
            self.add_module(f'norm{i}', build_norm_layer(out_norm_cfg, dims[i])[1])
        self.out_channels = [dims[i] for i in self.out_indices]
        self._freeze_stages()

    def _converter(self):
        return convert_transxnet

    def _init_from_scratch(self) -> None:
        trunc_normal_init(self, layers=(nn.Conv2d, ))

    def _pos_bias(self, stage: int, hw: Tuple[int, int]) -> torch.Tensor:
        """The stage's attention bias at the size of ``hw``, resized once per forward at most.

        Without autograd the resized tensor is cached until the size or the weights change.
        """
        s = self.sr_ratios[stage]
        size = (hw[0] * hw[1], math.ceil(hw[0] / s) * math.ceil(hw[1] / s))
        bias = self.relative_pos_enc[stage]
        if tuple(bias.shape[-2:]) == size:
            # A mask that requires grad sends attention to its unfused math path even when
            # autograd is off.
            return bias if torch.is_grad_enabled() else bias.detach()
        return self._pos_bias_cache.get(stage, [bias], lambda: F.interpolate(
            bias, size=size, mode='bicubic', align_corners=False), variant=size)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.patch_embed(x)
        outs = []
        for i in range(self.num_stages):
            if i > 0:
                x = self.downsample_layers[i - 1](x)
            x = self._run_stage(i, x, self._pos_bias(i, x.shape[-2:]))
            if i in self.out_indices:
                out = getattr(self, f'norm{i}')(x)
                outs.append(out.mean(dim=(2, 3)) if self.out_type == 'avg_featmap' else out)
        return tuple(outs)

    def _stage_extras(self, i: int) -> List[nn.Parameter]:
        return [self.relative_pos_enc[i]]

    def _locate(self, name: List[str]) -> Optional[Tuple[int, int]]:
        """A stage's position bias goes with its first block."""
        if name[0] == 'relative_pos_enc':
            return int(name[1]), 0
        return super()._locate(name)


# Official checkpoints -> mmhybrid keys (used by init_cfg Pretrained and the converter tools).
_OFFICIAL = re.compile(r'^(backbone\.)?(network\.\d+\.|patch_embed\.proj\.|classifier\.)')
_BACKBONE_TOP = re.compile(r'(network|patch_embed|relative_pos_enc|classifier|norm\d)\.')


def _map_backbone_key(key: str) -> Optional[str]:
    """An official backbone key (no prefix) in mmhybrid's layout; None when unknown."""
    if key.startswith('patch_embed.proj.'):
        return 'patch_embed.' + key[len('patch_embed.proj.'):]
    if re.fullmatch(r'relative_pos_enc\.[0-3]', key):
        return key
    m = re.fullmatch(r'network\.(\d+)\.(.+)', key)
    if m:
        index, rest = int(m.group(1)), m.group(2)
        if index % 2 == 0:
            return f'stages.{index // 2}.{rest}'
        if rest.startswith('proj.'):
            return f'downsample_layers.{index // 2}.{rest[len("proj."):]}'
        return None
    m = re.fullmatch(r'norm([0246])\.(weight|bias)', key)
    if m:
        return f'norm{int(m.group(1)) // 2}.{m.group(2)}'
    m = re.fullmatch(r'classifier\.0\.(weight|bias)', key)
    if m:
        return f'norm3.{m.group(1)}'
    return None


def _map_classifier(key: str, value: torch.Tensor) -> Optional[Tuple[str, torch.Tensor]]:
    """The classifier's 1x1 conv becomes a Linear (its GroupNorm is the backbone's norm3)."""
    m = re.fullmatch(r'classifier\.2\.(weight|bias)', key)
    if m is None:
        return None
    return f'head.fc.{m.group(1)}', value.flatten(1) if m.group(1) == 'weight' else value


def convert_transxnet(state_dict: StateDict,
                      prefix: str = 'backbone.') -> StateDict:
    """Convert an official TransXNet state dict to mmhybrid's full-model layout.

    Backbone keys go under ``prefix`` (bare official keys) or stay under ``backbone.``
    (official mmdet/mmseg checkpoints); the ImageNet classifier conv becomes the
    ``head.fc`` Linear of an mmpretrain ``LinearClsHead``, its GroupNorm the backbone's
    ``norm3``. Other keys (necks, heads) pass through. A state dict already in mmhybrid's
    layout is returned unchanged.

    Raises:
        KeyError: for official backbone keys with no known counterpart.
    """
    return convert_official(state_dict, 'TransXNet', _OFFICIAL, _BACKBONE_TOP, _map_backbone_key,
                            _map_classifier, prefix)
