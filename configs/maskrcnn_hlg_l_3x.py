# Mask R-CNN + HLG-Large, COCO 3x multi-scale: mmdet's Swin 3x recipe.
_base_ = ['./_base_/det/maskrcnn_3x.py', './_base_/hlg/hlg_l.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
