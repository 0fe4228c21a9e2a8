# Mask R-CNN + HybridFormer-B, COCO 3x multi-scale: UniFormer's / Swin's 3x recipe.
_base_ = ['./_base_/det/maskrcnn_3x.py', './_base_/hybridformer/hybridformer_b.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
