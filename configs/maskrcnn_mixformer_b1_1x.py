# Mask R-CNN + MixFormer-B1, COCO 1x: mmdet's Swin recipe (the paper follows Swin).
_base_ = ['./_base_/det/maskrcnn_1x.py', './_base_/mixformer/mixformer_b1.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
