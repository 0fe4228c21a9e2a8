# Cascade Mask R-CNN + HybridFormer-B, COCO 1x: no official config, so mmdet's ConvNeXt
# Cascade recipe.
_base_ = ['./_base_/det/cascade-maskrcnn_1x.py', './_base_/hybridformer/hybridformer_b.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
