# FcaFormer-L2 for dense prediction: windowed attention (14 / 7), and 1x1 conv + LayerNorm
# outputs of [96, 192, 384, 768] channels (the official L2 dense backbone's scheme). Drop path
# 0.2 (the official COCO value).
# Only FcaFormer-L2 ImageNet weights were released (Baidu Pan, see README): put the file at
# checkpoints/fcaformer_l2_in1k.pth; the official keys are converted on load.
init_cfg = dict(
    type='Pretrained',
    checkpoint='checkpoints/fcaformer_l2_in1k.pth',
    how_to_get='Download the official FcaFormer-L2 ImageNet checkpoint (hkzhang-git/FcaFormer '
               'README, Baidu Pan) to that path; its keys are converted on load.')
backbone = dict(
    _delete_=True,
    type='mmhybrid.FcaFormer',
    arch='l2',
    drop_path_rate=0.2,
    init_cfg=init_cfg)
backbone_channels = [96, 192, 384, 768]
backbone_p3 = dict(backbone, out_indices=(1, 2, 3))
backbone_p3_channels = backbone_channels[1:]
backbone_stage3_channels = backbone_channels[2]
backbone_seg = dict(backbone, drop_path_rate=0.1)  # the official ADE20K UperNet value
