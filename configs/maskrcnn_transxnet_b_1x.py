# Mask R-CNN + TransXNet-B, COCO 1x (official recipe, LMMMEng/TransXNet object_detection/configs/mask_rcnn_transx_b_fpn_1x_coco.py).
_base_ = ['./_base_/det/maskrcnn_1x.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmhybrid.TransXNet',
        arch='b',
        drop_path_rate=0.3,
        init_cfg=dict(type='Pretrained', checkpoint='https://github.com/LMMMEng/TransXNet/releases/download/v1.0/transx-b.pth.tar')),
    neck=dict(in_channels=[76, 152, 336, 672]))
