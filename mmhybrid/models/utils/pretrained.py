import os.path as osp
from typing import Callable, Optional

import torch.nn as nn
from mmengine.logging import print_log
from mmengine.runner.checkpoint import _load_checkpoint

from mmhybrid.utils.checkpoint import (check_pretrained_exists, check_state_dict_fits,
                                       read_checkpoint)
from .convert import StateDict


def unwrap_state_dict(checkpoint: dict, ema: bool = False) -> StateDict:
    """The state dict inside a checkpoint: ``state_dict`` (or ``state_dict_ema`` with ``ema``),
    ``model``, or the checkpoint itself; a DDP ``module.`` prefix is removed."""
    keys = ('state_dict_ema', 'state_dict', 'model') if ema else ('state_dict', 'model')
    if ema and 'state_dict_ema' not in checkpoint:
        raise KeyError('ema=True but the checkpoint has no state_dict_ema entry')
    for key in keys:
        if isinstance(checkpoint.get(key), dict):
            checkpoint = checkpoint[key]
            break
    return {k[len('module.'):] if k.startswith('module.') else k: v
            for k, v in checkpoint.items()}


def load_pretrained(module: nn.Module,
                    init_cfg: dict,
                    converter: Optional[Callable[[StateDict], StateDict]] = None) -> None:
    """Load ``init_cfg`` (type Pretrained) into ``module``, converting official checkpoints.

    The converter maps official keys to mmhybrid's full-model layout (``backbone.*``) and
    leaves mmhybrid checkpoints unchanged. ``prefix`` defaults to ``'backbone.'`` when the
    checkpoint has such keys. Missing and unexpected keys, and tensors of another shape (not
    loaded), are logged as warnings. A local checkpoint that does not exist is one error that
    says how to get it (``how_to_get``) or how to start from scratch instead; a truncated or
    damaged one, or one of which under half of the module's tensors fit (another family or
    arch), is one ``CheckpointError``.
    """
    path = init_cfg.get('checkpoint')
    name = type(module).__name__
    if not path:
        raise ValueError(f'{name}: Pretrained init_cfg needs a checkpoint')
    check_pretrained_exists(name, init_cfg)
    checkpoint = (read_checkpoint(path, map_location='cpu')
                  if osp.isfile(path) else
                  _load_checkpoint(path, map_location='cpu', logger='current'))
    state = unwrap_state_dict(checkpoint, init_cfg.get('ema', False))
    if converter is not None:
        state = converter(state)
    prefix = init_cfg.get('prefix')
    if prefix is None:
        prefix = 'backbone.' if any(k.startswith('backbone.') for k in state) else ''
    selected = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    if not selected:
        raise KeyError(f'No key of checkpoint {path} starts with prefix {prefix!r}; set '
                       "init_cfg['prefix'] to the backbone's prefix in that checkpoint")
    own = module.state_dict()
    check_state_dict_fits(selected, own, path, name)
    reshaped = sorted(k for k, v in selected.items() if k in own and v.shape != own[k].shape)
    if reshaped:
        print_log(f'{name}: tensors of another shape in {path}, not loaded: {reshaped}',
                  logger='current', level=30)
    selected = {k: v for k, v in selected.items() if k not in reshaped}
    result = module.load_state_dict(selected, strict=False)
    print_log(f'{name}: loaded {len(selected) - len(result.unexpected_keys)} tensors from '
              f'{path} (prefix {prefix!r}; {len(state) - len(selected)} keys outside it)',
              logger='current')
    if result.missing_keys:
        print_log(f'{name}: missing keys in {path}: {result.missing_keys}',
                  logger='current', level=30)
    if result.unexpected_keys:
        print_log(f'{name}: unexpected keys in {path}: {result.unexpected_keys}',
                  logger='current', level=30)
