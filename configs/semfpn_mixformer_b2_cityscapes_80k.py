# Semantic FPN + MixFormer-B2, Cityscapes 80k: no official config, so the PVT AdamW recipe.
_base_ = ['./_base_/seg/semfpn_cityscapes_80k.py', './_base_/mixformer/mixformer_b2.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
