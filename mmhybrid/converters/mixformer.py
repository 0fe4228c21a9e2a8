"""PaddleClas MixFormer checkpoints for the converter tool: reading ``.pdparams`` files and
naming the arch. The key map is :func:`mmhybrid.models.backbones.mixformer.convert_mixformer`.

``.pdparams`` files are pickles of numpy arrays: they are read with an unpickler that only
rebuilds numpy arrays, so no code in the file can run.
"""
import pickle
from typing import Any, Dict, Tuple

import numpy as np
import torch

from mmhybrid.models.backbones.mixformer import MixFormer, convert_mixformer
from mmhybrid.models.utils.convert import StateDict
from .common import arch_from_zoo, stage_depths

__all__ = ['convert_mixformer', 'load_pdparams', 'build_mixformer_for']


class _NumpyUnpickler(pickle.Unpickler):
    """Rebuilds numpy arrays and plain containers; refuses every other global."""

    ALLOWED = {
        ('numpy.core.multiarray', '_reconstruct'), ('numpy._core.multiarray', '_reconstruct'),
        ('numpy.core.multiarray', 'scalar'), ('numpy._core.multiarray', 'scalar'),
        ('numpy', 'ndarray'), ('numpy', 'dtype'), ('collections', 'OrderedDict'),
        ('_codecs', 'encode'),  # protocol-2 pickles store array bytes as latin-1 text
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f'{module}.{name} is not allowed in a .pdparams file')


def load_pdparams(path: str) -> Dict[str, np.ndarray]:
    """A Paddle ``.pdparams`` file as {name: array}, without executing code from it."""
    with open(path, 'rb') as f:
        state = _NumpyUnpickler(f, encoding='latin1').load()
    return {k: v for k, v in state.items() if isinstance(v, np.ndarray)}


def build_mixformer_for(converted: StateDict) -> Tuple[str, torch.nn.Module]:
    """Name and build the MixFormer (arch, classification or dense) a checkpoint fits."""
    stem = converted.get('backbone.patch_embed.proj.weight')
    if stem is None:
        raise KeyError('No MixFormer stem (backbone.patch_embed.proj.weight) in the state dict')
    depths = stage_depths(converted)
    name = arch_from_zoo(MixFormer, f'Stem width {stem.shape[0]} and depths {depths}',
                         lambda a: a['embed_dims'] == stem.shape[0] and a['depths'] == depths)
    if 'backbone.last_proj.weight' in converted:
        return f'MixFormer-{name.upper()} (classification)', MixFormer(
            name, out_type='avg_featmap')
    return f'MixFormer-{name.upper()} (dense)', MixFormer(name)
