# HybridFormer-S for dense prediction (an unofficial reconstruction: no code or weights were
# released). Per-stage LayerNorm outputs, as UniFormer's dense backbones. Detection runs stage 3
# in 14x14 windows with every 4th block global (UniFormer-h14, the README's detection
# baseline); ADE20K keeps global attention (the global UniFormer is the README's segmentation
# baseline); Cityscapes' 1024-wide crops use 32x32 windows. Drop path 0.2 is our choice.
# Initialised from our own ImageNet checkpoint of cls_hybridformer_s_in1k.py.
init_cfg = dict(type='Pretrained', checkpoint='checkpoints/hybridformer_s_in1k.pth')
backbone = dict(_delete_=True, type='mmhybrid.HybridFormer', arch='s',
                window_size=(0, 0, 14, 0),
                global_every=4, drop_path_rate=0.2, init_cfg=init_cfg)
backbone_channels = [64, 128, 320, 512]
backbone_p3 = dict(backbone, out_indices=(1, 2, 3))
backbone_p3_channels = backbone_channels[1:]
backbone_stage3_channels = backbone_channels[2]
backbone_seg = dict(backbone, window_size=0)
backbone_seg_cityscapes = dict(backbone, window_size=(0, 0, 32, 0))
# UniFormer's Semantic FPN recipe: drop path 0.1 (UniFormer-S's Semantic FPN value).
backbone_semfpn = dict(backbone_seg, drop_path_rate=0.1)
