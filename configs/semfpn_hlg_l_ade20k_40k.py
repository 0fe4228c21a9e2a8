# Semantic FPN + HLG-Large, ADE20K 40k: the PVT recipe.
_base_ = ['./_base_/seg/semfpn_ade20k_40k.py', './_base_/hlg/hlg_l.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
