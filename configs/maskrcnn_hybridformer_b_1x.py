# Mask R-CNN + HybridFormer-B, COCO 1x: the UniFormer recipe (AdamW 1e-4,
# wd 0.05), which is mmdet's Swin 1x recipe.
_base_ = ['./_base_/det/maskrcnn_1x.py', './_base_/backbones/hybridformer_b.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
