# FcaFormer-L1 for dense prediction: windowed attention (14 / 7), and 1x1 conv + LayerNorm
# outputs of [64, 128, 256, 512] channels (the official L2 dense backbone's scheme). Drop path
# 0.1 (scaled with depth, as ConvNeXt does).
# Initialised from our own ImageNet checkpoint of cls_fcaformer_l1_in1k.py.
init_cfg = dict(type='Pretrained', checkpoint='checkpoints/fcaformer_l1_in1k.pth')
backbone = dict(
    _delete_=True,
    type='mmhybrid.FcaFormer',
    arch='l1',
    drop_path_rate=0.1,
    init_cfg=init_cfg)
backbone_channels = [64, 128, 256, 512]
backbone_p3 = dict(backbone, out_indices=(1, 2, 3))
backbone_p3_channels = backbone_channels[1:]
backbone_stage3_channels = backbone_channels[2]
backbone_seg = backbone
