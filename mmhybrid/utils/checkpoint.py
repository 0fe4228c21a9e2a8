"""Load mmengine's own training checkpoints under torch's ``weights_only=True`` unpickler.

torch >= 2.6 loads with ``weights_only=True``; mmengine 0.10.7 checkpoints hold a
``HistoryBuffer`` in the message hub and numpy values in ``meta``, which that unpickler
refuses. Rather than switching the safe unpickler off, allow exactly those types while a
run resumes or loads its checkpoints.
"""
import builtins
import contextlib
import os
import os.path as osp
import re
from typing import Iterator, List, Optional

import numpy as np
import torch
from mmengine.logging import HistoryBuffer


def mmengine_checkpoint_globals() -> List[object]:
    """The globals that mmengine 0.10.x writes into a training checkpoint."""
    try:
        multiarray = np._core.multiarray
    except AttributeError:  # numpy 1.x
        multiarray = np.core.multiarray
    dtype_classes = [
        getattr(np.dtypes, name) for name in dir(getattr(np, 'dtypes', object()))
        if name.endswith('DType')
    ]
    # HistoryBuffer pickles references to its statistics methods through getattr.
    return [HistoryBuffer, builtins.getattr, np.ndarray, np.dtype, multiarray._reconstruct,
            multiarray.scalar, *dtype_classes]


@contextlib.contextmanager
def trusted_checkpoint_loading() -> Iterator[None]:
    """Context in which ``torch.load(weights_only=True)`` accepts mmengine checkpoints."""
    with torch.serialization.safe_globals(mmengine_checkpoint_globals()):
        yield


def check_pretrained_exists(owner: str, init_cfg: dict) -> None:
    """One clear error when a Pretrained ``init_cfg`` names a local file that does not exist:
    what the file is and how to get it (the ``how_to_get`` key, where a config sets one; for
    ``checkpoints/<name>_in1k.pth`` without one: train ``configs/cls_<name>_in1k.py``), or how
    to start from scratch on purpose instead."""
    path: Optional[str] = init_cfg.get('checkpoint')
    if not path or '://' in path or osp.exists(path):
        return
    how = init_cfg.get('how_to_get', '')
    ours = re.fullmatch(r'checkpoints/(\w+_in1k)\.pth', path.replace(os.sep, '/'))
    if not how and ours:
        cls = f'configs/cls_{ours.group(1)}.py'
        how = (f'No such weights were released: it is the ImageNet checkpoint of {cls} '
               f'(python tools/train.py {cls}, then copy its best or last checkpoint to that '
               'path).')
    raise FileNotFoundError(
        f'{owner}: the pretrained checkpoint {path!r} does not exist (working directory '
        f'{os.getcwd()!r}). {how}{" " if how else ""}To train from scratch on purpose, pass '
        '--cfg-options model.backbone.init_cfg=None.')
