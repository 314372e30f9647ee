environment         = "dev"
location            = "westeurope"
cosmos_regions      = ["westeurope", "northeurope", "francecentral"]
node_min_count      = 1
node_max_count      = 3
redis_sku           = "Standard"
public_host         = "switchyard-dev.example.com"
ingress_origin_host = "ingress.switchyard-dev.example.com"
