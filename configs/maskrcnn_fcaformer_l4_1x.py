# Mask R-CNN + FcaFormer-L4, COCO 1x: no official 1x config, so mmdet's Swin recipe.
_base_ = ['./_base_/det/maskrcnn_1x.py', './_base_/fcaformer/fcaformer_l4.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
