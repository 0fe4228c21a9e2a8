# RetinaNet + TransXNet-T, COCO 3x multi-scale: the official 1x optimizer with mmdet's
# Swin 3x schedule and augmentation.
_base_ = ['./_base_/det/retinanet_3x.py', './_base_/transxnet/transxnet_t.py']

model = dict(backbone={{_base_.backbone_p3}},
             neck=dict(in_channels={{_base_.backbone_p3_channels}}))
