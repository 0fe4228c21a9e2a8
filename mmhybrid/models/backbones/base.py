"""The one API of mmhybrid's staged backbones: containers, outputs, freezing, init, lr decay."""
from typing import Callable, Iterable, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch.nn.modules.batchnorm import _BatchNorm

from ..utils import (checkpoint_block, clear_parameter_caches, is_capturing, load_pretrained,
                     parse_out_indices)
from ..utils.convert import StateDict

VECTOR_OUT_TYPES = ('avg_featmap', 'cls_token')  # one (B, C) vector from the last stage


def reject_non_finite_input(module: nn.Module, args: tuple) -> None:
    """Forward pre-hook: NaN or infinite input values are one clear error here rather than
    NaN outputs and losses further on (skipped while compiling, tracing or exporting)."""
    x = args[0] if args else None
    if not isinstance(x, torch.Tensor) or is_capturing():
        return
    finite = torch.isfinite(x)
    if not finite.all():
        raise ValueError(
            f'{type(module).__name__} got an input with {int((~finite).sum())} NaN or infinite '
            f'values (of {x.numel()}): check the images and the data preprocessor (mean, std, '
            'padding) or the code that made the tensor')


class HybridBackbone(BaseModule):
    """Base of the staged backbones.

    Every backbone has the same containers: ``patch_embed`` (the stem), ``stages`` (one module
    per stage that iterates over its blocks, so block ``j`` of stage ``i`` is
    ``stages.{i}.{j}``), ``downsample_layers`` where downsampling sits between stages
    (``downsample_layers[i]`` runs before stage ``i + 1``) and output layers ``norm{i}`` /
    ``proj{i}``. The same arguments mean the same everywhere:

    - ``out_indices``: stages whose outputs are returned (``None``: all for ``'featmap'``,
      the last for ``'avg_featmap'``);
    - ``out_type`` (mmpretrain's meaning, the ones in :attr:`out_types`): ``'featmap'``
      returns NCHW maps; ``'avg_featmap'`` (``'cls_token'`` for a class-token model) the
      official classifier's (B, C) feature vector of the last stage;
    - ``frozen_stages``: -1 nothing, 0 the stem, k the stem and stages 1..k with everything
      that belongs to them (downsampling before them, output layers, :meth:`_stage_extras`);
    - ``norm_eval``: BatchNorms stay in eval mode in training;
    - ``with_cp``: gradient checkpointing per block (:func:`checkpoint_block`), with the same
      outputs, gradients, drop-path masks and BatchNorm statistics as without;
    - ``init_cfg``: ``Pretrained`` loads our or the official checkpoints (converted by
      :meth:`_converter`); otherwise :meth:`_init_from_scratch` runs the official init.

    An input with NaN or infinite values is a ``ValueError`` (:func:`reject_non_finite_input`).
    Eval-mode caches (:class:`~mmhybrid.models.utils.ParameterCache`) are emptied by
    ``train()`` / ``eval()``, ``load_state_dict`` and ``.to()``.

    Subclasses set ``num_stages`` and call :meth:`_setup_outputs` in ``__init__`` before
    building their output layers, and :meth:`_freeze_stages` at its end.
    """

    num_stages: int
    frozen_stages: int = -1
    norm_eval: bool = False
    with_cp: bool = False
    out_type: str = 'featmap'
    out_types: Tuple[str, ...] = ('featmap', 'avg_featmap')
    depths: Sequence[int]

    def _setup_outputs(self, out_indices: Optional[Union[int, Sequence[int]]], out_type: str,
                       frozen_stages: int, norm_eval: bool, with_cp: bool) -> None:
        """Check and store the arguments every backbone shares."""
        name = type(self).__name__
        if out_type not in self.out_types:
            raise ValueError(f'{name} out_type must be one of {self.out_types}, got {out_type!r}')
        last = self.num_stages - 1
        vector = out_type in VECTOR_OUT_TYPES
        if out_indices is None:
            out_indices = (last, ) if vector else tuple(range(self.num_stages))
        self.out_indices = parse_out_indices(out_indices, self.num_stages)
        if vector and self.out_indices != [last]:
            raise ValueError(f"{name} out_type={out_type!r} is the classifier's feature vector "
                             f'of the last stage: set out_indices=({last}, ) or None')
        if not -1 <= frozen_stages <= last:
            raise ValueError(f'{name} frozen_stages must be in [-1, {last}], got {frozen_stages}')
        self.out_type = out_type
        self.register_forward_pre_hook(reject_non_finite_input)
        self.register_load_state_dict_post_hook(
            lambda module, incompatible_keys: clear_parameter_caches(module))
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.with_cp = with_cp

    def _run_block(self, block: nn.Module, *args):
        """One block, checkpointed when ``with_cp`` is set."""
        return checkpoint_block(block, *args, enabled=self.with_cp)

    def _run_stage(self, i: int, x: torch.Tensor, *args) -> torch.Tensor:
        """The blocks of stage ``i`` in order (extra ``args`` go to every block)."""
        for block in self.stages[i]:
            x = self._run_block(block, x, *args)
        return x

    def _converter(self) -> Callable[[StateDict], StateDict]:
        """Official state dict -> mmhybrid layout (leaves mmhybrid checkpoints unchanged)."""
        return dict

    def _init_from_scratch(self) -> None:
        raise NotImplementedError

    def init_weights(self) -> None:
        """The official init from scratch, or ``init_cfg`` Pretrained (official keys converted)."""
        if self.init_cfg is not None and self.init_cfg.get('type') == 'Pretrained':
            load_pretrained(self, self.init_cfg, self._converter())
            return
        super().init_weights()
        self._init_from_scratch()

    def _stage_extras(self, i: int) -> List[Union[nn.Module, nn.Parameter]]:
        """Parts outside the containers that belong to stage ``i`` (-1: the stem) and are
        frozen with it."""
        return []

    def _output_layers(self, i: int) -> List[nn.Module]:
        return [getattr(self, n) for n in (f'proj{i}', f'norm{i}') if hasattr(self, n)]

    def _frozen_parts(self) -> Iterable[Union[nn.Module, nn.Parameter]]:
        if self.frozen_stages >= 0:
            yield self.patch_embed
            yield from self._stage_extras(-1)
        downsample = getattr(self, 'downsample_layers', None)
        for i in range(self.frozen_stages):
            yield self.stages[i]
            if i > 0 and downsample is not None:
                yield downsample[i - 1]
            yield from self._output_layers(i)
            yield from self._stage_extras(i)

    def _freeze_stages(self) -> None:
        for part in self._frozen_parts():
            if isinstance(part, nn.Parameter):
                part.requires_grad = False
                continue
            part.eval()
            for param in part.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True) -> 'HybridBackbone':
        super().train(mode)
        # Caches of eval-mode tensors start afresh (see ParameterCache): a training forward
        # updated BatchNorm statistics, or a hook swapped weights, without a version bump.
        clear_parameter_caches(self)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self

    def _apply(self, *args, **kwargs) -> 'HybridBackbone':
        # .to() / .half() may swap parameter tensors the caches listed.
        out = super()._apply(*args, **kwargs)
        clear_parameter_caches(self)
        return out

    def _locate(self, name: List[str]) -> Optional[Tuple[int, int]]:
        """(stage, block) of a parameter name split at dots: (-1, 0) for the stem, None for
        the last id. A downsampling goes with the first block after it; subclasses add their
        own parts by overriding and falling back to this."""
        if name[0] == 'patch_embed':
            return -1, 0
        if name[0] == 'stages':
            return int(name[1]), int(name[2])
        if name[0] == 'downsample_layers':
            return int(name[1]) + 1, 0
        return None

    def get_layer_depth(self, param_name: str, prefix: str = '',
                        decay_type: str = 'layer_wise') -> Tuple[int, int]:
        """Layer id of a parameter for layer-wise lr decay.

        ``layer_wise``: stem 0, blocks 1..sum(depths); ``stage_wise``: stem 0, stage i ->
        i + 1. Output layers and names outside ``prefix`` (necks, heads) get the last id.

        Returns:
            tuple[int, int]: The layer id and the number of layers.
        """
        if decay_type not in ('layer_wise', 'stage_wise'):
            raise ValueError(f'{type(self).__name__} has no decay_type {decay_type!r}')
        depths = list(self.depths)
        stage_wise = decay_type == 'stage_wise'
        num_layers = (len(depths) if stage_wise else sum(depths)) + 2
        where = self._locate(param_name[len(prefix):].split('.')) \
            if param_name.startswith(prefix) else None
        if where is None:
            return num_layers - 1, num_layers
        stage, block = where
        if stage < 0:
            return 0, num_layers
        return (stage + 1 if stage_wise else sum(depths[:stage]) + block + 1), num_layers
