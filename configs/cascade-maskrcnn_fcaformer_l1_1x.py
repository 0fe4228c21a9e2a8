# Cascade Mask R-CNN + FcaFormer-L1, COCO 1x: no official 1x config, so mmdet's ConvNeXt
# Cascade recipe.
_base_ = ['./_base_/det/cascade-maskrcnn_1x.py', './_base_/fcaformer/fcaformer_l1.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
