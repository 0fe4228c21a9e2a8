# Semantic FPN + HLG-Tiny, Cityscapes 80k: the PVT AdamW recipe.
_base_ = ['./_base_/seg/semfpn_cityscapes_80k.py', './_base_/hlg/hlg_t.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
