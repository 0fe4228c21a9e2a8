# Semantic FPN + HLG-Tiny, ADE20K 80k: the PVT recipe.
_base_ = ['./_base_/seg/semfpn_ade20k_80k.py', './_base_/hlg/hlg_t.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
