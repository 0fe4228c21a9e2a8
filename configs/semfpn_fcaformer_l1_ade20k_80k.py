# Semantic FPN + FcaFormer-L1, ADE20K 80k: no official config, so the PVT recipe.
_base_ = ['./_base_/seg/semfpn_ade20k_80k.py', './_base_/fcaformer/fcaformer_l1.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
