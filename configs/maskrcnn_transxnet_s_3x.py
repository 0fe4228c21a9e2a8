# Mask R-CNN + TransXNet-S, COCO 3x (no official 3x config: mmdet Swin 3x recipe).
_base_ = ['./_base_/det/maskrcnn_3x.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmhybrid.TransXNet',
        arch='s',
        drop_path_rate=0.2,
        init_cfg=dict(type='Pretrained', checkpoint='https://github.com/LMMMEng/TransXNet/releases/download/v1.0/transx-s.pth.tar')),
    neck=dict(in_channels=[64, 128, 320, 512]))
