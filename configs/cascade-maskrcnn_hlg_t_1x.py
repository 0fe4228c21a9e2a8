# Cascade Mask R-CNN + HLG-Tiny, COCO 1x: mmdet's ConvNeXt Cascade recipe.
_base_ = ['./_base_/det/cascade-maskrcnn_1x.py', './_base_/hlg/hlg_t.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
