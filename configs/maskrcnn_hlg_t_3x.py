# Mask R-CNN + HLG-Tiny, COCO 3x multi-scale: mmdet's Swin 3x recipe.
_base_ = ['./_base_/det/maskrcnn_3x.py', './_base_/hlg/hlg_t.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
