"""The key-mapping loop every official-checkpoint key map shares, and the state-dict type."""
import re
from typing import Callable, Dict, Optional, Tuple

import torch
from mmengine.logging import print_log

StateDict = Dict[str, torch.Tensor]


def convert_official(state_dict: StateDict,
                     family: str,
                     official: 're.Pattern',
                     backbone_top: 're.Pattern',
                     map_backbone_key: Callable[[str], Optional[str]],
                     map_classifier: Callable[[str, torch.Tensor],
                                              Optional[Tuple[str, torch.Tensor]]],
                     prefix: str = 'backbone.',
                     unused: Optional['re.Pattern'] = None) -> StateDict:
    """Convert an official state dict to mmhybrid's full-model layout.

    Args:
        state_dict: Official keys, bare (ImageNet checkpoints, dense backbones) or under
            ``backbone.`` next to neck and head keys (official mmdet/mmseg checkpoints).
        family: The model family, for messages.
        official: Matches keys that only official checkpoints have; without any, the state dict
            is already mmhybrid's and is returned unchanged.
        backbone_top: Matches (unprefixed) top-level names of official backbone keys, so that
            unmapped ones are reported rather than passed through.
        map_backbone_key: Official backbone key (no prefix) -> mmhybrid key, or None.
        map_classifier: Official ImageNet classifier key and tensor -> the mmpretrain
            ``LinearClsHead`` key and tensor, or None for other keys.
        prefix: Where bare backbone keys go.
        unused: Matches (unprefixed) official keys of modules that the official forward never
            uses; they are dropped, and how many is logged.

    Raises:
        KeyError: for official backbone keys with no known counterpart.
    """
    if not any(official.match(k) for k in state_dict):
        return dict(state_dict)
    converted, unknown, dropped = {}, [], []
    for key, value in state_dict.items():
        if key.startswith('backbone.'):
            key_prefix, rest = 'backbone.', key[len('backbone.'):]
        else:
            key_prefix, rest = prefix, key
        if unused is not None and unused.match(rest):
            dropped.append(key)
            continue
        head = map_classifier(rest, value)
        if head is not None:
            converted[head[0]] = head[1]
            continue
        new = map_backbone_key(rest)
        if new is not None:
            converted[key_prefix + new] = value
        elif key.startswith('backbone.') or backbone_top.match(rest):
            unknown.append(key)
        else:
            converted[key] = value  # neck and head keys
    if unknown:
        raise KeyError(f'Unknown official {family} keys (is this a {family} checkpoint?): '
                       f'{unknown[:10]}{" ..." if len(unknown) > 10 else ""}')
    if dropped:
        print_log(f'{family}: dropped {len(dropped)} official keys of modules the official '
                  f'forward never uses ({dropped[0]}, ...)', logger='current')
    return converted


def map_linear_head(key: str, value: torch.Tensor) -> Optional[Tuple[str, torch.Tensor]]:
    """An official ImageNet classifier ``head.weight`` / ``head.bias`` (a Linear) -> the
    ``head.fc`` of an mmpretrain ``LinearClsHead``; None for other keys."""
    m = re.fullmatch(r'head\.(weight|bias)', key)
    return None if m is None else (f'head.fc.{m.group(1)}', value)
