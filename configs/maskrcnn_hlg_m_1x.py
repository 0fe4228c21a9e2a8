# Mask R-CNN + HLG-Medium, COCO 1x: the official repo has only a base config and no results, so
# mmdet's Swin 1x recipe.
_base_ = ['./_base_/det/maskrcnn_1x.py', './_base_/backbones/hlg_m.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
