# RetinaNet + FcaFormer-L4, COCO 3x: no official config, so the PVT optimizer with mmdet's
# Swin 3x schedule and augmentation.
_base_ = ['./_base_/det/retinanet_3x.py', './_base_/fcaformer/fcaformer_l4.py']

model = dict(backbone={{_base_.backbone_p3}},
             neck=dict(in_channels={{_base_.backbone_p3_channels}}))
