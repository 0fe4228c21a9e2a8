# Cascade Mask R-CNN + HLG-Medium, COCO 1x: mmdet's ConvNeXt Cascade recipe.
_base_ = ['./_base_/det/cascade-maskrcnn_1x.py', './_base_/hlg/hlg_m.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
