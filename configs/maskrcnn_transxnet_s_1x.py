# Mask R-CNN + TransXNet-S, COCO 1x: the official recipe
# (LMMMEng/TransXNet object_detection/configs/mask_rcnn_transx_s_fpn_1x_coco.py).
_base_ = ['./_base_/det/maskrcnn_1x.py', './_base_/transxnet/transxnet_s.py']

model = dict(backbone={{_base_.backbone}}, neck=dict(in_channels={{_base_.backbone_channels}}))
# Keep the best checkpoint (by box AP), as the official run (evaluation save_best='auto').
default_hooks = dict(checkpoint=dict(save_best='auto'))
