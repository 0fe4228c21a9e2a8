# Cascade Mask R-CNN + HybridFormer-L, COCO 3x: no official config, so mmdet's ConvNeXt
# Cascade 3x recipe.
_base_ = ['./_base_/det/cascade-maskrcnn_3x.py', './_base_/hybridformer/hybridformer_l.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
