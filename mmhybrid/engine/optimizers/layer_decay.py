"""Layer-wise / stage-wise lr decay for any backbone that implements ``get_layer_depth``.

mmdet's and mmseg's LearningRateDecayOptimizerConstructor only know ConvNeXt/BEiT, and
mmpretrain's calls ``get_layer_depth`` on the whole model, which detectors and segmentors lack.
This one asks ``model.backbone.get_layer_depth(name, 'backbone.')`` (the mmpretrain protocol)
and so works for classifiers, detectors and segmentors alike.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch.nn as nn
from mmengine.logging import print_log
from mmengine.optim import DefaultOptimWrapperConstructor
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.instancenorm import _InstanceNorm

from mmhybrid.registry import OPTIM_WRAPPER_CONSTRUCTORS

NORMS = (_BatchNorm, _InstanceNorm, nn.GroupNorm, nn.LayerNorm, nn.LocalResponseNorm)
# Position biases and scale factors: parameters that weight decay should not pull to zero.
NO_DECAY_NAMES = ('relative_pos_enc', 'absolute_pos_embed', 'relative_position_bias_table',
                  'cls_token', 'layer_scale', 'gamma', 'scale_factor', 'rel_pos')


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class LayerDecayOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """Scale each parameter's lr by ``decay_rate ** (num_layers - layer_id - 1)``.

    ``paramwise_cfg`` keys:

    - ``decay_rate`` (float): the per-layer factor (1.0 = no decay).
    - ``decay_type`` (str): ``'layer_wise'`` (one id per block), ``'stage_wise'`` (one id per
      stage) or a grouping of the backbone's own, passed to its ``get_layer_depth``.
    - ``no_decay_names`` (Sequence[str]): name fragments of parameters without weight decay,
      besides norms, biases and other 1-d parameters (default: position biases, class tokens
      and scale factors).
    - ``custom_keys`` (dict): ``{name_fragment: dict(lr_mult=..., decay_mult=...)}`` applied on
      top; the longest matching fragment wins.

    Parameters outside the backbone (necks, heads) get the last layer id, i.e. the full lr.
    Frozen parameters are left out of the optimizer.
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: Optional[dict] = None) -> None:
        paramwise_cfg = dict(paramwise_cfg or {})
        self.decay_rate = float(paramwise_cfg.pop('decay_rate', 1.0))
        # The backbone's get_layer_depth validates other groupings (e.g. 'stage_wise').
        self.decay_type = paramwise_cfg.pop('decay_type', 'layer_wise')
        self.no_decay_names: Sequence[str] = tuple(
            paramwise_cfg.pop('no_decay_names', NO_DECAY_NAMES))
        # Never empty: mmengine skips add_params for an empty paramwise_cfg.
        paramwise_cfg.setdefault('custom_keys', {})
        unknown = set(paramwise_cfg) - {'custom_keys'}
        if unknown:
            raise ValueError(f'LayerDecayOptimWrapperConstructor does not know paramwise_cfg '
                             f'keys {sorted(unknown)}')
        super().__init__(optim_wrapper_cfg, paramwise_cfg)

    def _depth(self, model: nn.Module, name: str) -> Tuple[int, int]:
        backbone = getattr(model, 'backbone', None)
        prefix = 'backbone.'
        if backbone is None:
            backbone, prefix = model, ''
        if not hasattr(backbone, 'get_layer_depth'):
            raise NotImplementedError(
                f'{type(backbone).__name__} has no get_layer_depth(param_name, prefix): '
                'layer-wise lr decay needs it')
        if self.decay_type == 'layer_wise':  # mmpretrain's protocol
            return backbone.get_layer_depth(name, prefix)
        return backbone.get_layer_depth(name, prefix, decay_type=self.decay_type)

    def _custom(self, name: str) -> Tuple[Optional[str], dict]:
        keys = sorted(self.paramwise_cfg.get('custom_keys', {}), key=len, reverse=True)
        for key in keys:
            if key in name:
                return key, self.paramwise_cfg['custom_keys'][key]
        return None, {}

    def add_params(self, params: List[dict], module: nn.Module, **kwargs) -> None:
        base_wd = self.base_wd or 0.
        groups: Dict[tuple, dict] = {}
        for module_name, child in module.named_modules():
            for param_name, param in child.named_parameters(recurse=False):
                if not param.requires_grad:
                    continue
                name = f'{module_name}.{param_name}' if module_name else param_name
                layer_id, num_layers = self._depth(module, name)
                no_decay = (isinstance(child, NORMS) or param.ndim == 1
                            or param_name == 'bias'
                            or any(k in name for k in self.no_decay_names))
                key, custom = self._custom(name)
                lr_scale = self.decay_rate**(num_layers - layer_id - 1) * custom.get('lr_mult', 1.)
                weight_decay = 0. if no_decay else base_wd * custom.get('decay_mult', 1.)
                group_key = (layer_id, weight_decay, key)
                if group_key not in groups:
                    groups[group_key] = dict(
                        params=[], param_names=[], lr=self.base_lr * lr_scale,
                        weight_decay=weight_decay, layer_id=layer_id, lr_scale=lr_scale)
                groups[group_key]['params'].append(param)
                groups[group_key]['param_names'].append(name)
        params.extend(groups[k] for k in sorted(groups, key=lambda k: (k[0], k[1], k[2] or '')))
        print_log(f'layer decay: rate {self.decay_rate} ({self.decay_type}), '
                  f'{len(groups)} parameter groups', logger='current')
