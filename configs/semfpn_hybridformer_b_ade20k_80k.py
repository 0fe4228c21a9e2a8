# Semantic FPN + HybridFormer-B, ADE20K 80k: UniFormer's Semantic FPN recipe (Sense-X/UniFormer
# semantic_segmentation/fpn_seg/exp/fpn_global_*/config.py: AdamW 2e-4, wd 1e-4, cosine, whole-image
# test), global attention, drop path 0.1 (our choice: S's).
_base_ = ['./_base_/seg/semfpn_ade20k_80k_cosine.py', './_base_/hybridformer/hybridformer_b.py']

model = dict(backbone={{_base_.backbone_semfpn}},
             neck=dict(in_channels={{_base_.backbone_channels}}))
