# TransXNet-B for dense prediction: drop path 0.3 as in the official COCO/ADE20K configs,
# the official ImageNet weights (converted on load). Leaf configs take `backbone` (all four
# stages) or `backbone_p3` (strides 8-32, for RetinaNet) and the matching channel lists.
# BatchNorms are SyncBN, as the official dense backbones convert them (object_detection/ and
# semantic_segmentation/transxnet.py, end of __init__); single-process runs revert to BN.
backbone = dict(
    _delete_=True,
    type='mmhybrid.TransXNet',
    norm_cfg=dict(type='SyncBN', requires_grad=True),
    arch='b',
    drop_path_rate=0.3,
    init_cfg=dict(
        type='Pretrained',
        checkpoint='https://github.com/LMMMEng/TransXNet/releases/download/v1.0/transx-b.pth.tar'))
backbone_channels = [76, 152, 336, 672]
backbone_p3 = dict(backbone, out_indices=(1, 2, 3))
backbone_p3_channels = backbone_channels[1:]
backbone_stage3_channels = backbone_channels[2]
