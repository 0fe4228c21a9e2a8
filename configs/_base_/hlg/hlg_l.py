# HLG-Large for dense prediction, as the official segmentation / detection backbone (fudan-zvg/SETR
# mmseg/models/backbones/hlg.py): a LayerNorm after every stage that also feeds the next stage,
# LayerNorm eps 1e-6; drop path 0.3 (the official COCO and segmentation configs). Initialised from
# the released ImageNet checkpoint (SETR README, HLG table: Google Drive), which is converted on
# load.
init_cfg = dict(
    type='Pretrained',
    checkpoint='checkpoints/hlg_l_in1k.pth',
    how_to_get='Download the official HLG-Large ImageNet checkpoint (fudan-zvg/SETR README, '
               'HLG table) to that path; its keys are converted on load.')
backbone = dict(_delete_=True, type='mmhybrid.HLG', arch='l', drop_path_rate=0.3,
                init_cfg=init_cfg)
backbone_channels = [128, 256, 512, 1024]
backbone_p3 = dict(backbone, out_indices=(1, 2, 3))
backbone_p3_channels = backbone_channels[1:]
backbone_stage3_channels = backbone_channels[2]
# Stage 3 with 18 blocks, as the official Large Cityscapes config has.
backbone_depth18 = dict(
    backbone,
    arch=dict(embed_dims=[128, 256, 512, 1024], depths=[2, 2, 18, 2], num_heads=[4, 8, 16, 32]))
