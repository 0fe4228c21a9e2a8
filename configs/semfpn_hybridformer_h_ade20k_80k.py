# Semantic FPN + HybridFormer-H, ADE20K 80k: UniFormer's Semantic FPN recipe (AdamW 2e-4,
# wd 1e-4, cosine, whole-image test).
_base_ = ['./_base_/seg/semfpn_ade20k_80k_cosine.py', './_base_/backbones/hybridformer_h.py']

model = dict(backbone={{_base_.backbone_seg}}, neck=dict(in_channels={{_base_.backbone_channels}}))
