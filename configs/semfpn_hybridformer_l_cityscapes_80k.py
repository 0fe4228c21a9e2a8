# Semantic FPN + HybridFormer-L, Cityscapes 80k: no official config, so the PVT AdamW recipe.
_base_ = ['./_base_/seg/semfpn_cityscapes_80k.py', './_base_/hybridformer/hybridformer_l.py']

model = dict(backbone={{_base_.backbone_seg_cityscapes}},
             neck=dict(in_channels={{_base_.backbone_channels}}))
