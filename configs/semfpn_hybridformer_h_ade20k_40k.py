# Semantic FPN + HybridFormer-H, ADE20K 40k: the PVT recipe.
_base_ = ['./_base_/seg/semfpn_ade20k_40k.py', './_base_/hybridformer/hybridformer_h.py']

model = dict(backbone={{_base_.backbone_seg}}, neck=dict(in_channels={{_base_.backbone_channels}}))
