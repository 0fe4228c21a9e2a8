# MixFormer-B3 for dense prediction: per-stage outputs before downsampling, each with its
# own LayerNorm (Swin's convention; the official dense code is not public). Drop path 0.2 is
# our choice. Initialised from our own ImageNet checkpoint of cls_mixformer_b3_in1k.py.
init_cfg = dict(type='Pretrained', checkpoint='checkpoints/mixformer_b3_in1k.pth')
backbone = dict(_delete_=True, type='mmhybrid.MixFormer', arch='b3', drop_path_rate=0.2,
                init_cfg=init_cfg)
backbone_channels = [48, 96, 192, 384]
backbone_p3 = dict(backbone, out_indices=(1, 2, 3))
backbone_p3_channels = backbone_channels[1:]
backbone_stage3_channels = backbone_channels[2]
