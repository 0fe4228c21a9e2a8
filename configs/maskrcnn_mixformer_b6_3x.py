# Mask R-CNN + MixFormer-B6, COCO 3x multi-scale: the PaddleClas README row, trained with
# mmdet's Swin 3x recipe, which the paper follows.
_base_ = ['./_base_/det/maskrcnn_3x.py', './_base_/mixformer/mixformer_b6.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
