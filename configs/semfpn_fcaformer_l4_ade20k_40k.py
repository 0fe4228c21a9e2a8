# Semantic FPN + FcaFormer-L4, ADE20K 40k: no official config, so the PVT recipe.
_base_ = ['./_base_/seg/semfpn_ade20k_40k.py', './_base_/fcaformer/fcaformer_l4.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
