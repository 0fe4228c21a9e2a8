# Cascade Mask R-CNN + MixFormer-B2, COCO 1x: no official config, so mmdet's ConvNeXt
# Cascade recipe.
_base_ = ['./_base_/det/cascade-maskrcnn_1x.py', './_base_/mixformer/mixformer_b2.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
