# FcaFormer-L1 for dense prediction: windowed attention (14 / 7), and 1x1 conv + LayerNorm
# outputs of [64, 128, 256, 512] channels (the official L2 dense backbone's scheme). Drop path
# 0.1 (scaled with depth, as ConvNeXt does).
# No FcaFormer-L1 weights were released: pre-train with cls_fcaformer_l1_in1k.py and
# point init_cfg at that checkpoint.
init_cfg = None
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
