"""What mmhybrid's staged backbones share: freezing, norm_eval and Pretrained loading."""
from typing import Callable, List, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmengine.model import BaseModule
from torch.nn.modules.batchnorm import _BatchNorm

from ..utils import load_pretrained
from ..utils.convert import StateDict


class HybridBackbone(BaseModule):
    """Base of the staged backbones.

    Subclasses set ``frozen_stages`` and ``norm_eval``, list what ``frozen_stages`` freezes in
    :meth:`_frozen_parts`, name their official-checkpoint converter in :meth:`_converter` and
    their from-scratch init in :meth:`_init_from_scratch`.
    """

    num_stages: int
    frozen_stages: int = -1
    norm_eval: bool = False

    def _check_frozen_stages(self, frozen_stages: int) -> int:
        """``frozen_stages`` if it lies in [-1, num_stages - 1], else one clear error."""
        if not -1 <= frozen_stages < self.num_stages:
            raise ValueError(f'frozen_stages must be in [-1, {self.num_stages - 1}], '
                             f'got {frozen_stages}')
        return frozen_stages

    def _frozen_parts(self) -> List[Union[nn.Module, nn.Parameter]]:
        """Modules and parameters that ``frozen_stages`` freezes."""
        raise NotImplementedError

    def _converter(self) -> Callable[[StateDict], StateDict]:
        """Official state dict -> mmhybrid layout (leaves mmhybrid checkpoints unchanged)."""
        raise NotImplementedError

    def _init_from_scratch(self) -> None:
        raise NotImplementedError

    def init_weights(self) -> None:
        """The official init from scratch, or ``init_cfg`` Pretrained (official keys converted)."""
        if self.init_cfg is not None and self.init_cfg.get('type') == 'Pretrained':
            load_pretrained(self, self.init_cfg, self._converter())
            return
        super().init_weights()
        self._init_from_scratch()

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
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self

    def _staged_layer_depth(self, param_name: str, prefix: str, decay_type: str,
                            depths: Sequence[int],
                            locate: Callable[[List[str]], Optional[Tuple[int, int]]]
                            ) -> Tuple[int, int]:
        """Layer id for lr decay shared by the staged backbones.

        ``locate`` maps a parameter name (without ``prefix``, split at dots) to (stage, block),
        to (-1, 0) for the stem, or to None for the last id. Layer-wise: stem 0, blocks
        1..sum(depths); stage-wise: stem 0, stage i -> i + 1. Names outside ``prefix`` (necks,
        heads) get the last id.

        Returns:
            tuple[int, int]: The layer id and the number of layers.
        """
        if decay_type not in ('layer_wise', 'stage_wise'):
            raise ValueError(f'{type(self).__name__} has no decay_type {decay_type!r}')
        stage_wise = decay_type == 'stage_wise'
        num_layers = (len(depths) if stage_wise else sum(depths)) + 2
        where = locate(param_name[len(prefix):].split('.')) \
            if param_name.startswith(prefix) else None
        if where is None:
            return num_layers - 1, num_layers
        stage, block = where
        if stage < 0:
            return 0, num_layers
        return (stage + 1 if stage_wise else sum(depths[:stage]) + block + 1), num_layers
