# Cascade Mask R-CNN + TransXNet-B, COCO 3x multi-scale: no official config, so mmdet's
# ConvNeXt Cascade 3x recipe.
_base_ = ['./_base_/det/cascade-maskrcnn_3x.py', './_base_/transxnet/transxnet_b.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
