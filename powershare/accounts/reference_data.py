"""Organisations PowerShare ships with: Scotland's 32 councils and the national bodies named in
the source documents. Used by a data migration, so keep it free of model imports."""

COUNCILS = [
    "Aberdeen City Council",
    "Aberdeenshire Council",
    "Angus Council",
    "Argyll and Bute Council",
    "City of Edinburgh Council",
    "Clackmannanshire Council",
    "Comhairle nan Eilean Siar",
    "Dumfries and Galloway Council",
    "Dundee City Council",
    "East Ayrshire Council",
    "East Dunbartonshire Council",
    "East Lothian Council",
    "East Renfrewshire Council",
    "Falkirk Council",
    "Fife Council",
    "Glasgow City Council",
    "The Highland Council",
    "Inverclyde Council",
    "Midlothian Council",
    "The Moray Council",
    "North Ayrshire Council",
    "North Lanarkshire Council",
    "Orkney Islands Council",
    "Perth and Kinross Council",
    "Renfrewshire Council",
    "Scottish Borders Council",
    "Shetland Islands Council",
    "South Ayrshire Council",
    "South Lanarkshire Council",
    "Stirling Council",
    "West Dunbartonshire Council",
    "West Lothian Council",
]

# (name, short name, kind)
NATIONAL_BODIES = [
    ("Scottish Government", "Scottish Government", "national_body"),
    ("Improvement Service", "Improvement Service", "national_body"),
    ("Convention of Scottish Local Authorities", "COSLA", "national_body"),
    ("Care Inspectorate", "Care Inspectorate", "national_body"),
    ("Community Justice Scotland", "Community Justice Scotland", "national_body"),
    ("NHS Education for Scotland", "NES", "health_board"),
    ("Scottish Social Services Council", "SSSC", "national_body"),
    ("Social Work Scotland", "Social Work Scotland", "national_body"),
    ("Scottish Association of Social Work", "SASW", "national_body"),
    ("Social Work Education Partnership", "SWEP", "national_body"),
    ("Iriss", "Iriss", "national_body"),
    ("Children and Young People's Centre for Justice", "CYCJ", "university"),
    ("Resilience Learning Partnership", "RLP", "lived_experience_led"),
    ("Who Cares? Scotland", "Who Cares? Scotland", "third_sector"),
]


def short_name_for_council(name: str) -> str:
    short = name.removeprefix("The ").removesuffix(" Council")
    return short.replace("City of Edinburgh", "Edinburgh")
