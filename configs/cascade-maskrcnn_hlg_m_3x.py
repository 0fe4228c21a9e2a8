# Cascade Mask R-CNN + HLG-Medium, COCO 3x: mmdet's ConvNeXt Cascade 3x recipe.
_base_ = ['./_base_/det/cascade-maskrcnn_3x.py', './_base_/hlg/hlg_m.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
