# RetinaNet + TransXNet-B, COCO 3x (no official 3x config: the 1x optimizer with mmdet's Swin 3x schedule).
_base_ = ['./_base_/det/retinanet_3x.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmhybrid.TransXNet',
        arch='b',
        out_indices=(1, 2, 3),
        drop_path_rate=0.3,
        init_cfg=dict(type='Pretrained', checkpoint='https://github.com/LMMMEng/TransXNet/releases/download/v1.0/transx-b.pth.tar')),
    neck=dict(in_channels=[152, 336, 672]))
