# FcaFormer-L3 for dense prediction: windowed attention (14 / 7), and 1x1 conv + LayerNorm
# outputs of [96, 192, 384, 768] channels (the official L2 dense backbone's scheme). Drop path
# 0.3 (scaled with depth, as ConvNeXt does).
# Initialised from our own ImageNet checkpoint of cls_fcaformer_l3_in1k.py.
init_cfg = dict(type='Pretrained', checkpoint='checkpoints/fcaformer_l3_in1k.pth')
backbone = dict(
    _delete_=True,
    type='mmhybrid.FcaFormer',
    arch='l3',
    drop_path_rate=0.3,
    init_cfg=init_cfg)
backbone_channels = [96, 192, 384, 768]
backbone_p3 = dict(backbone, out_indices=(1, 2, 3))
backbone_p3_channels = backbone_channels[1:]
backbone_stage3_channels = backbone_channels[2]
backbone_seg = backbone
