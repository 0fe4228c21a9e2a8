# HLG-Small for dense prediction, as the official segmentation / detection backbone (fudan-zvg/SETR
# mmseg/models/backbones/hlg.py): a LayerNorm after every stage that also feeds the next stage,
# LayerNorm eps 1e-6; drop path 0.1 (the official COCO and segmentation configs). Initialised from
# the released ImageNet checkpoint (SETR README, HLG table: Google Drive), which is converted on
# load.
init_cfg = dict(
    type='Pretrained',
    checkpoint='checkpoints/hlg_s_in1k.pth',
    how_to_get='Download the official HLG-Small ImageNet checkpoint (fudan-zvg/SETR README, '
               'HLG table) to that path; its keys are converted on load.')
backbone = dict(_delete_=True, type='mmhybrid.HLG', arch='s', drop_path_rate=0.1,
                init_cfg=init_cfg)
backbone_channels = [96, 192, 384, 768]
backbone_p3 = dict(backbone, out_indices=(1, 2, 3))
backbone_p3_channels = backbone_channels[1:]
backbone_stage3_channels = backbone_channels[2]
