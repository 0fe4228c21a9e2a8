# Semantic FPN + FcaFormer-L1, Cityscapes 80k: no official config, so the PVT AdamW recipe.
_base_ = ['./_base_/seg/semfpn_cityscapes_80k.py', './_base_/fcaformer/fcaformer_l1.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
