# RetinaNet + TransXNet-B, COCO 1x: the official recipe
# (LMMMEng/TransXNet object_detection/configs/retinanet_transx_b_fpn_1x_coco.py).
_base_ = ['./_base_/det/retinanet_1x.py', './_base_/transxnet/transxnet_b.py']

model = dict(backbone={{_base_.backbone_p3}},
             neck=dict(in_channels={{_base_.backbone_p3_channels}}))
# Keep the best checkpoint (by box AP), as the official run (evaluation save_best='auto').
default_hooks = dict(checkpoint=dict(save_best='auto'))
