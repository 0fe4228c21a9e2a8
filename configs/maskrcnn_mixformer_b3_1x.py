# Mask R-CNN + MixFormer-B3, COCO 1x: mmdet's Swin recipe (the paper follows Swin).
_base_ = ['./_base_/det/maskrcnn_1x.py', './_base_/mixformer/mixformer_b3.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
