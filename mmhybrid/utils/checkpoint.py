"""Reading checkpoints safely and with clear errors.

torch >= 2.6 loads with ``weights_only=True``; mmengine 0.10.7 checkpoints hold a
``HistoryBuffer`` in the message hub and numpy values in ``meta``, which that unpickler
refuses. Rather than switching the safe unpickler off, allow exactly those types while a
run resumes or loads its checkpoints. A truncated or damaged file, or one that does not fit
the model, is one :class:`CheckpointError` that names the file and says what to do.
"""
import builtins
import contextlib
import os
import os.path as osp
import pickle
import re
import zipfile
from typing import Any, Iterator, List, Mapping, Optional

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader, load_from_local


class CheckpointError(RuntimeError):
    """A checkpoint file that cannot be used; the message names it and says what to do."""


def _damaged(path: str, reason: str) -> CheckpointError:
    return CheckpointError(
        f'{path} is not a readable checkpoint: {reason}. It is truncated or damaged (e.g. '
        'an interrupted download, copy or save): download or convert it again, or resume '
        'from an earlier checkpoint (--resume PATH).')


def read_checkpoint(path: str, **load_kwargs: Any) -> Any:
    """``torch.load(path, **load_kwargs)``, with a :class:`CheckpointError` naming the file
    when it is truncated, damaged (each zip record's CRC is checked first: torch does not) or a
    Git LFS pointer. torch's refusal of a pickle that would run code passes through unchanged.
    """
    with open(path, 'rb') as f:
        if f.read(24) == b'version https://git-lfs.':
            raise CheckpointError(f'{path} is a Git LFS pointer, not the checkpoint: fetch it '
                                  'with git lfs pull (or download the file itself)')
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise _damaged(path, str(e)) from e
        if bad is not None:
            raise _damaged(path, f'the checksum of its record {bad!r} does not match')
    try:
        return torch.load(path, **load_kwargs)
    except pickle.UnpicklingError as e:
        if 'global' in str(e).lower():  # a real pickle naming a type weights_only refuses
            raise
        raise _damaged(path, str(e).strip().splitlines()[-1] if str(e).strip() else
                       'not a pickle') from e
    except (EOFError, ValueError, IndexError, KeyError, TypeError, OverflowError) as e:
        # What the unpickler raises on arbitrary bytes depends on the bytes.
        raise _damaged(path, f'{type(e).__name__}: {e}') from e
    except RuntimeError as e:
        if 'PytorchStreamReader' in str(e) or 'zip archive' in str(e):
            raise _damaged(path, str(e).split('.')[0]) from e
        raise


def _load_from_local(filename: str, map_location: Any) -> Any:
    """mmengine's local checkpoint loader with :func:`read_checkpoint`'s clear errors."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return read_checkpoint(filename, map_location=map_location)


def check_state_dict_fits(state: Mapping[str, Any], expected: Mapping[str, Any], path: str,
                          owner: str) -> None:
    """Raise a :class:`CheckpointError` when ``state`` holds under half of the tensors of
    ``expected`` (its ``backbone.`` ones where it has them) by name and shape: a checkpoint of
    another family or arch. A ``module.`` (DDP) prefix in ``state`` is ignored."""
    state = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in state.items()}
    keys = [k for k in expected if not k.endswith('num_batches_tracked')]
    keys = [k for k in keys if k.startswith('backbone.')] or keys
    fit = sum(1 for k in keys
              if k in state and tuple(getattr(state[k], 'shape', ())) == tuple(expected[k].shape))
    if keys and fit < len(keys) / 2:
        sample = ', '.join(list(state)[:3])
        raise CheckpointError(
            f'{path} does not fit {owner}: only {fit} of its {len(keys)} tensors are in the '
            f'checkpoint with their shapes (the checkpoint starts with {sample}). It is '
            'probably a checkpoint of another model, family or arch: check the path and the '
            "config's arch; official checkpoints convert with tools/model_converters/.")


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
    """Context in which ``torch.load(weights_only=True)`` accepts mmengine checkpoints and
    mmengine's local loader (``--resume``, ``load_from``) fails with :func:`read_checkpoint`'s
    clear errors."""
    CheckpointLoader.register_scheme('', _load_from_local, force=True)
    try:
        with torch.serialization.safe_globals(mmengine_checkpoint_globals()):
            yield
    finally:
        CheckpointLoader.register_scheme('', load_from_local, force=True)


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
