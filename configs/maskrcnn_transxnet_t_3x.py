# Mask R-CNN + TransXNet-T, COCO 3x (no official 3x config: mmdet Swin 3x recipe).
_base_ = ['./_base_/det/maskrcnn_3x.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmhybrid.TransXNet',
        arch='t',
        drop_path_rate=0.1,
        init_cfg=dict(type='Pretrained', checkpoint='https://github.com/LMMMEng/TransXNet/releases/download/v1.0/transx-t.pth.tar')),
    neck=dict(in_channels=[48, 96, 224, 448]))
