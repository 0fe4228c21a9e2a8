"""PaddleClas MixFormer checkpoints -> mmhybrid keys.

Paddle stores Linear weights as [in, out] (transposed here) and BatchNorm statistics as
``_mean`` / ``_variance`` (renamed). ``.pdparams`` files are pickles of numpy arrays: they are
read with an unpickler that only rebuilds numpy arrays, so no code in the file can run.
"""
import pickle
import re
from typing import Any, Dict, Tuple

import numpy as np
import torch

StateDict = Dict[str, torch.Tensor]

_PADDLE_ONLY = re.compile(r'.*\.(_mean|_variance)$')


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


def convert_mixformer(state_dict: Dict[str, Any], prefix: str = 'backbone.') -> StateDict:
    """Convert a Paddle MixFormer state dict (numpy arrays or tensors) to mmhybrid's layout.

    Backbone keys go under ``prefix``; the classifier ``head`` becomes ``head.fc`` of an
    mmpretrain ``LinearClsHead``; ``relative_position_index`` (architecture, rebuilt) is
    dropped. A state dict already in torch layout (no ``_mean`` / ``_variance`` keys) is
    returned unchanged.
    """
    if not any(_PADDLE_ONLY.match(k) for k in state_dict):
        return {k: torch.as_tensor(v) for k, v in state_dict.items()}
    converted = {}
    for key, value in state_dict.items():
        if key.endswith('relative_position_index') or key.startswith('StructuredToParameterName'):
            continue
        tensor = torch.as_tensor(np.asarray(value)).clone()
        if key.endswith('.weight') and tensor.ndim == 2:
            tensor = tensor.t().contiguous()  # Paddle Linear: [in, out]
        key = re.sub(r'\._mean$', '.running_mean', key)
        key = re.sub(r'\._variance$', '.running_var', key)
        if key.startswith('head.'):
            converted['head.fc.' + key[len('head.'):]] = tensor
        else:
            converted[prefix + key] = tensor
    return converted


def build_mixformer_for(converted: StateDict) -> Tuple[str, torch.nn.Module]:
    """Name and build the MixFormer (arch, classification or dense) a checkpoint fits."""
    from mmhybrid.models import MixFormer
    stem = converted.get('backbone.patch_embed.proj.weight')
    if stem is None:
        raise KeyError('No MixFormer stem (backbone.patch_embed.proj.weight) in the state dict')
    depths = [len({k.split('.')[4] for k in converted
                   if k.startswith(f'backbone.layers.{i}.blocks.')}) for i in range(4)]
    for name, arch in MixFormer.arch_zoo.items():
        if arch['embed_dims'] == stem.shape[0] and arch['depths'] == depths:
            break
    else:
        raise ValueError(f'Stem width {stem.shape[0]} and depths {depths} match no MixFormer '
                         'arch')
    if 'backbone.last_proj.weight' in converted:
        return f'MixFormer-{name.upper()} (classification)', MixFormer(
            name, out_indices=(3, ), cls_features=True)
    return f'MixFormer-{name.upper()} (dense)', MixFormer(name)
