"""timm ViT, DeiT and BEiT checkpoints -> mmseg ``VisionTransformer`` keys (SETR's encoder).

The output is the layout of mmseg's ``tools/model_converters/vit2mmseg.py`` (bare keys), so it
serves as ``init_cfg=dict(type='Pretrained', checkpoint=...)`` of the backbone. What SETR
does with such weights is kept: the classifier, DeiT's distillation token (and its position)
and the final norm are dropped, the class-token position is kept and the position grid is the
last h*w tokens, resized bilinearly (align_corners=False) to the target grid.

BEiT-style checkpoints store ``q_bias`` / ``v_bias`` (no key bias) and layer scales
``gamma_1`` / ``gamma_2``: the qkv bias becomes (q_bias, 0, v_bias) and the layer scales are
folded into the attention and MLP output projections, which is exact. mmseg's ViT has no
relative position bias: BEiT's relative-position tables are dropped and reported, so outputs
equal BEiT's only for checkpoints that do not use them.
"""
import math
import re
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F

from mmhybrid.models.utils.convert import StateDict

_BLOCK = re.compile(r'^blocks\.(\d+)\.(.+)$')
_BLOCK_KEYS = {
    'norm1.weight': 'ln1.weight', 'norm1.bias': 'ln1.bias',
    'norm2.weight': 'ln2.weight', 'norm2.bias': 'ln2.bias',
    'attn.qkv.weight': 'attn.attn.in_proj_weight', 'attn.qkv.bias': 'attn.attn.in_proj_bias',
    'attn.proj.weight': 'attn.attn.out_proj.weight', 'attn.proj.bias': 'attn.attn.out_proj.bias',
    'mlp.fc1.weight': 'ffn.layers.0.0.weight', 'mlp.fc1.bias': 'ffn.layers.0.0.bias',
    'mlp.fc2.weight': 'ffn.layers.1.weight', 'mlp.fc2.bias': 'ffn.layers.1.bias',
}
# Keys SETR does not use: the classifier, DeiT's distillation token, the final norm.
_DROPPED = re.compile(r'^(head(_dist)?\.|fc_norm\.|norm\.|dist_token$)')
_REL_POS = re.compile(r'(relative_position_(bias_table|index)|rel_pos_bias\.)')


def resize_pos_embed(pos_embed: torch.Tensor, grid: Tuple[int, int],
                     num_prefix: int) -> torch.Tensor:
    """(1, num_prefix + h*w, C) -> (1, 1 + H*W, C): the class position and the resized grid.

    The grid is the last h*w tokens (a DeiT distillation position is dropped).
    """
    cls_pos, old = pos_embed[:, :1], pos_embed[:, num_prefix:]
    side = int(math.isqrt(old.shape[1]))
    if side * side != old.shape[1]:
        raise ValueError(f'position grid of {old.shape[1]} tokens is not square')
    if (side, side) != tuple(grid):
        old = old.reshape(1, side, side, -1).permute(0, 3, 1, 2)
        old = F.interpolate(old, size=tuple(grid), mode='bilinear', align_corners=False)
        old = old.flatten(2).transpose(1, 2)
    return torch.cat([cls_pos, old], dim=1)


def convert_vit(state_dict: StateDict,
                grid: Optional[Tuple[int, int]] = None) -> Tuple[StateDict, List[str]]:
    """Convert a timm ViT / DeiT / BEiT state dict to mmseg ViT keys.

    Args:
        state_dict: The checkpoint's model weights.
        grid: Target patch grid (H/patch, W/patch) of the position embedding; None keeps it.
            Needed for BEiT checkpoints without absolute position embeddings (zeros are used).

    Returns:
        (dict, list): the converted weights and the keys dropped on purpose.

    Raises:
        KeyError: for keys that are not part of a ViT / DeiT / BEiT checkpoint.
    """
    converted: StateDict = {}
    dropped, unknown = [], []
    gammas: Dict[Tuple[str, str], torch.Tensor] = {}
    qv_bias: Dict[Tuple[str, str], torch.Tensor] = {}
    num_prefix = 2 if 'dist_token' in state_dict else 1
    for key, value in state_dict.items():
        block = _BLOCK.match(key)
        if key == 'cls_token':
            converted[key] = value
        elif key == 'pos_embed':
            target = grid or (int(math.isqrt(value.shape[1] - num_prefix)), ) * 2
            converted[key] = resize_pos_embed(value, target, num_prefix)
        elif key.startswith('patch_embed.proj.'):
            converted[key.replace('patch_embed.proj.', 'patch_embed.projection.')] = value
        elif _DROPPED.match(key) or _REL_POS.search(key):
            dropped.append(key)
        elif block and block.group(2) in _BLOCK_KEYS:
            converted[f'layers.{block.group(1)}.{_BLOCK_KEYS[block.group(2)]}'] = value
        elif block and block.group(2) in ('gamma_1', 'gamma_2'):
            gammas[block.group(1), block.group(2)] = value
        elif block and block.group(2) in ('attn.q_bias', 'attn.v_bias'):
            qv_bias[block.group(1), block.group(2)[5]] = value
        else:
            unknown.append(key)
    if unknown:
        raise KeyError(f'not ViT / DeiT / BEiT keys: {unknown[:10]}'
                       f'{" ..." if len(unknown) > 10 else ""}')
    for (layer, which), q_bias in ((k, v) for k, v in qv_bias.items() if k[1] == 'q'):
        v_bias = qv_bias[layer, 'v']
        converted[f'layers.{layer}.attn.attn.in_proj_bias'] = torch.cat(
            [q_bias, torch.zeros_like(q_bias), v_bias])
    for (layer, name), gamma in gammas.items():
        target = 'attn.attn.out_proj' if name == 'gamma_1' else 'ffn.layers.1'
        weight, bias = f'layers.{layer}.{target}.weight', f'layers.{layer}.{target}.bias'
        converted[weight] = converted[weight] * gamma[:, None]
        converted[bias] = converted[bias] * gamma
    if 'pos_embed' not in converted:
        if grid is None:
            raise ValueError('the checkpoint has no absolute position embedding (BEiT): pass '
                             'the target grid to create a zero one')
        dim = converted['cls_token'].shape[-1]
        converted['pos_embed'] = torch.zeros(1, 1 + grid[0] * grid[1], dim)
    return converted, dropped
