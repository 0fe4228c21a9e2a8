# Cascade Mask R-CNN + MixFormer-B3, COCO 3x: no official config, so mmdet's ConvNeXt
# Cascade 3x recipe.
_base_ = ['./_base_/det/cascade-maskrcnn_3x.py', './_base_/mixformer/mixformer_b3.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
